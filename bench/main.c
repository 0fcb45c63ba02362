/* main.c - the benchmark program, build/bench/bench (make bench; bench/run.py drives it).

   bench list            the operations, one name a line
   bench run OP N        prepares OP, then runs it N times (what callgrind counts: bench/run.py
                         and tests/check.d/bench.sh take the difference between N and 2N runs)
   bench time OP N       prepares OP, then times 7 rounds of N runs; prints the best, ns per op,
                         of the wall clock and of the process's CPU time
   bench check           case lines: every implementation gives the same result as the library
   bench stack           the peak stack of each public function (memory.c)
   bench scratch         the scratch each call that talks to Stripe needs (memory.c)

   Inputs are read from bench/data/ (or $BENCH_DATA). The exchange operations need the stand-in
   (see ops_exchange.c). Exit status 0, or 1 when an operation failed, 2 on a usage error. */
#define _POSIX_C_SOURCE 200809L   /* clock_gettime, pthread_attr_setstack under -std=c99 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

static const bench_op ops[] = {
    { "parse_token_500/stripe_connect", parse_prepare_500, parse_stripe_connect, "token_500.json" },
    { "parse_token_500/cjson", parse_prepare_500, parse_cjson, "token_500.json" },
    { "parse_token_500/jsmn", parse_prepare_500, parse_jsmn, "token_500.json" },
    { "parse_token_500/jsmn_strict", parse_prepare_500, parse_jsmn_strict, "token_500.json" },
    { "parse_token_4k/stripe_connect", parse_prepare_4k, parse_stripe_connect, "token_4k.json" },
    { "parse_token_4k/cjson", parse_prepare_4k, parse_cjson, "token_4k.json" },
    { "parse_token_4k/jsmn", parse_prepare_4k, parse_jsmn, "token_4k.json" },
    { "parse_token_4k/jsmn_strict", parse_prepare_4k, parse_jsmn_strict, "token_4k.json" },
    { "authorize_url/stripe_connect", url_prepare, url_stripe_connect, "6 parameters" },
    { "authorize_url/curl_url", url_prepare, url_curl, "6 parameters" },
    { "percent_encode_1k/stripe_connect", encode_prepare, encode_stripe_connect, "encode_1k.txt" },
    { "percent_encode_1k/curl_easy_escape", encode_prepare, encode_curl, "encode_1k.txt" },
    { "exchange/stripe_connect_curl", exchange_prepare, exchange_stripe_connect, "refresh_token grant" },
    { "exchange/bare_curl", exchange_prepare_bare, exchange_bare_curl, "refresh_token grant" },
    { "exchange_new_connection/stripe_connect_curl", exchange_prepare_fresh, exchange_stripe_connect,
      "refresh_token grant, new TLS connection" },
    { "exchange_new_connection/bare_curl", exchange_prepare_bare_fresh, exchange_bare_curl,
      "refresh_token grant, new TLS connection" },
};

const char *bench_read_data(const char *file, size_t *len)
{
    const char *dir = getenv("BENCH_DATA");
    char path[1024];
    FILE *f;
    char *text;
    long size;
    snprintf(path, sizeof path, "%s/%s", dir != NULL ? dir : "bench/data", file);
    f = fopen(path, "rb");
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "bench: cannot read %s\n", path);
        if (f != NULL) fclose(f);
        return NULL;
    }
    text = (char *)malloc((size_t)size + 1);
    if (text == NULL || fread(text, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "bench: cannot read %s\n", path);
        fclose(f);
        free(text);
        return NULL;
    }
    fclose(f);
    text[size] = '\0';
    *len = (size_t)size;
    return text;
}

int bench_case(int passed, const char *name)
{
    printf("%s %s\n", passed ? "ok  " : "FAIL", name);
    fflush(stdout);
    return !passed;
}

static const bench_op *find_op(const char *name)
{
    size_t i;
    for (i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(ops[i].name, name) == 0) return &ops[i];
    return NULL;
}

static int run_n(const bench_op *op, long n)
{
    long i;
    for (i = 0; i < n; i++)
        if (op->once() != 0) {
            fprintf(stderr, "bench: %s failed at run %ld\n", op->name, i + 1);
            return 1;
        }
    return 0;
}

static double seconds(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Best of 7 rounds of n runs, in nanoseconds per run: wall clock, then the process's CPU time
   (the same for in-process work; for the exchange it leaves out the wait for the stand-in). */
static int time_op(const bench_op *op, long n)
{
    double best_wall = 0, best_cpu = 0;
    int round;
    for (round = 0; round < 7; round++) {
        double wall = seconds(CLOCK_MONOTONIC), cpu = seconds(CLOCK_PROCESS_CPUTIME_ID);
        if (run_n(op, n) != 0) return 1;
        wall = seconds(CLOCK_MONOTONIC) - wall;
        cpu = seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu;
        if (round == 0 || wall < best_wall) best_wall = wall;
        if (round == 0 || cpu < best_cpu) best_cpu = cpu;
    }
    printf("%s %.1f %.1f\n", op->name, best_wall / (double)n * 1e9, best_cpu / (double)n * 1e9);
    return 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: bench list | run OP N | time OP N | check | stack | scratch\n");
    return 2;
}

int main(int argc, char **argv)
{
    const bench_op *op;
    long n;
    size_t i;
    if (argc == 2 && strcmp(argv[1], "list") == 0) {
        for (i = 0; i < sizeof ops / sizeof ops[0]; i++) printf("%s %s\n", ops[i].name, ops[i].input);
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "check") == 0) return parse_check() + url_check() > 0;
    if (argc == 2 && strcmp(argv[1], "check-exchange") == 0) return exchange_check() > 0;
    if (argc == 2 && strcmp(argv[1], "stack") == 0) return memory_stack_report() != 0;
    if (argc == 2 && strcmp(argv[1], "scratch") == 0) return memory_scratch_report() != 0;
    if (argc != 4 || (strcmp(argv[1], "run") != 0 && strcmp(argv[1], "time") != 0)) return usage();
    op = find_op(argv[2]);
    n = strtol(argv[3], NULL, 10);
    if (op == NULL || n < 0) return usage();
    if (op->prepare() != 0) {
        fprintf(stderr, "bench: %s: prepare failed\n", op->name);
        return 1;
    }
    return strcmp(argv[1], "run") == 0 ? run_n(op, n) : time_op(op, n);
}
