/* test.c - the harness behind test.h. */
#include "test.h"

#include <stdio.h>
#include <string.h>

static const char *current_case = "(no case)";
static int current_failed;
static int passed_count, failed_count;

void test_begin(const char *name)
{
    current_case = name;
    current_failed = 0;
}

void test_end(void)
{
    if (current_failed) failed_count++;
    else passed_count++;
    current_case = "(no case)";
}

int test_summary(const char *suite)
{
    printf("%s: %d passed, %d failed\n", suite, passed_count, failed_count);
    return failed_count != 0;
}

static void report_place(const char *file, int line)
{
    current_failed = 1;
    printf("FAIL %s\n  %s:%d: ", current_case, file, line);
}

void test_fail(const char *file, int line, const char *what)
{
    report_place(file, line);
    printf("%s\n", what);
}

void test_fail_int(const char *file, int line, const char *expr, long got, long want)
{
    report_place(file, line);
    printf("%s is %ld, want %ld\n", expr, got, want);
}

void test_fail_str(const char *file, int line, const char *expr, const char *got, const char *want)
{
    report_place(file, line);
    printf("%s is \"%s\", want \"%s\"\n", expr, got ? got : "(null)", want ? want : "(null)");
}

static void print_bytes(const void *p, size_t n)
{
    const unsigned char *b = (const unsigned char *)p;
    size_t i;
    putchar('"');
    for (i = 0; i < n && i < 400; i++) {
        if (b[i] >= 0x20 && b[i] < 0x7f && b[i] != '"' && b[i] != '\\') putchar(b[i]);
        else printf("\\x%02x", b[i]);
    }
    printf(i < n ? "\"...(%lu bytes)" : "\" (%lu bytes)", (unsigned long)n);
}

void test_fail_mem(const char *file, int line, const char *expr,
                   const void *got, size_t got_len, const void *want, size_t want_len)
{
    report_place(file, line);
    printf("%s is ", expr);
    print_bytes(got, got_len);
    printf(",\n    want ");
    print_bytes(want, want_len);
    putchar('\n');
}

int test_mem_equal(const void *a, size_t a_len, const void *b, size_t b_len)
{
    return a_len == b_len && (a_len == 0 || memcmp(a, b, a_len) == 0);
}

int test_str_equal(const char *a, const char *b)
{
    if (a == NULL || b == NULL) return a == b;
    return strcmp(a, b) == 0;
}

int test_mem_contains(const void *hay, size_t hay_len, const void *needle, size_t needle_len)
{
    const unsigned char *h = (const unsigned char *)hay;
    size_t i;
    if (needle_len == 0) return 1;
    for (i = 0; i + needle_len <= hay_len; i++)
        if (memcmp(h + i, needle, needle_len) == 0) return 1;
    return 0;
}
