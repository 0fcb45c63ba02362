/* test.h - the unit tests' harness: cases, checks and a closing count.

   A case is opened with test_begin(name) and closed with test_end(); RUN(fn)
   does both around a function. Table-driven tests open one case per row, so
   every row is counted and named on its own. A check that fails prints the
   case, the place and what differed, and the case counts as failed; the run
   goes on. test_summary() prints "<suite>: N passed, N failed". */
#ifndef STRIPE_CONNECT_TEST_H
#define STRIPE_CONNECT_TEST_H

#include <stddef.h>

void test_begin(const char *name);
void test_end(void);
int test_summary(const char *suite);   /* returns 0 when nothing failed */

void test_fail(const char *file, int line, const char *what);
void test_fail_int(const char *file, int line, const char *expr, long got, long want);
void test_fail_str(const char *file, int line, const char *expr, const char *got, const char *want);
void test_fail_mem(const char *file, int line, const char *expr,
                   const void *got, size_t got_len, const void *want, size_t want_len);
int test_mem_equal(const void *a, size_t a_len, const void *b, size_t b_len);
int test_str_equal(const char *a, const char *b);
/* 1 when needle (needle_len bytes) occurs anywhere in hay[0..hay_len). */
int test_mem_contains(const void *hay, size_t hay_len, const void *needle, size_t needle_len);

#define RUN(fn) (test_begin(#fn), fn(), test_end())

#define CHECK(cond) \
    do { if (!(cond)) test_fail(__FILE__, __LINE__, #cond); } while (0)
#define CHECK_INT(got, want) \
    do { long got_ = (long)(got), want_ = (long)(want); \
         if (got_ != want_) test_fail_int(__FILE__, __LINE__, #got, got_, want_); } while (0)
#define CHECK_STR(got, want) \
    do { const char *got_ = (got), *want_ = (want); \
         if (!test_str_equal(got_, want_)) test_fail_str(__FILE__, __LINE__, #got, got_, want_); } while (0)
#define CHECK_MEM(got, got_len, want, want_len) \
    do { if (!test_mem_equal((got), (got_len), (want), (want_len))) \
             test_fail_mem(__FILE__, __LINE__, #got, (got), (got_len), (want), (want_len)); } while (0)

#endif
