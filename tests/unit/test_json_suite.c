/* test_json_suite.c - JSONTestSuite conformance (github.com/nst/JSONTestSuite).

   Every file of the suite's test_parsing folder is one case, named by the
   file, parsed as a 200 answer from /oauth/token:
     y_*  valid JSON: the result must not be ERR_MALFORMED_JSON (a valid
          document that is not a token is ERR_UNEXPECTED_RESPONSE);
     n_*  invalid JSON: the result must be ERR_MALFORMED_JSON;
     i_*  either is allowed: the parser must only return (no crash, no
          sanitizer report, no hang).
   On every result but OK the token must be all zero.
   A missing or incomplete folder fails the case "JSONTestSuite folder
   present" with the path: the suite is never skipped quietly. */
#define _POSIX_C_SOURCE 200809L
/* 64-bit directory offsets on 32-bit targets: without it glibc's readdir()
   fails with EOVERFLOW when the file system hands out 64-bit offsets (ext4
   does to a 32-bit program under qemu-user), and the folder reads as empty. */
#define _FILE_OFFSET_BITS 64

#include "../../stripe_connect.h"
#include "suites.h"
#include "test.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The suite holds 318 files; fewer than this means a broken checkout. */
#define JSON_SUITE_MIN_FILES 300

/* Reads the whole file in binary mode (some files hold NUL bytes).
   Returns a heap buffer of exactly *len bytes (at least 1 allocated), or NULL. */
static char *read_file_exactly(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *bytes = NULL;
    size_t used = 0, cap = 0, n;
    char chunk[4096];
    if (f == NULL) return NULL;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (used + n > cap) {
            char *grown;
            cap = (used + n) * 2;
            grown = (char *)realloc(bytes, cap);
            if (grown == NULL) { free(bytes); fclose(f); return NULL; }
            bytes = grown;
        }
        memcpy(bytes + used, chunk, n);
        used += n;
    }
    if (ferror(f)) { free(bytes); fclose(f); return NULL; }
    fclose(f);
    /* Shrink to the exact length, so AddressSanitizer sees any read past it. */
    if (used == 0) {
        free(bytes);
        bytes = (char *)malloc(1);
    } else {
        char *exact = (char *)malloc(used);
        if (exact != NULL) memcpy(exact, bytes, used);
        free(bytes);
        bytes = exact;
    }
    *len = used;
    return bytes;
}

static int is_suite_file(const char *name)
{
    size_t n = strlen(name);
    return (name[0] == 'y' || name[0] == 'n' || name[0] == 'i') && name[1] == '_' &&
           n > 5 && strcmp(name + n - 5, ".json") == 0;
}

static void run_file(const char *dir, const char *name)
{
    char path[4096], case_name[512];
    size_t len = 0;
    char *body;
    stripe_connect_token token;
    stripe_connect_error err;
    stripe_connect_result r;
    static const stripe_connect_token zero;

    snprintf(case_name, sizeof case_name, "JSONTestSuite %s", name);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    test_begin(case_name);
    body = read_file_exactly(path, &len);
    if (body == NULL) {
        test_fail(__FILE__, __LINE__, "cannot read the file");
        test_end();
        return;
    }
    memset(&token, 0xAA, sizeof token);
    r = stripe_connect_parse_token_response(200, body, len, &token, &err);
    if (name[0] == 'y') {
        if (r == STRIPE_CONNECT_ERR_MALFORMED_JSON)
            test_fail_str(__FILE__, __LINE__, "valid JSON: result", stripe_connect_result_string(r),
                          "anything but malformed JSON");
        else if (r != STRIPE_CONNECT_OK && r != STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE &&
                 r != STRIPE_CONNECT_ERR_OAUTH && r != STRIPE_CONNECT_ERR_API)
            test_fail_str(__FILE__, __LINE__, "valid JSON: result", stripe_connect_result_string(r),
                          "ok, unexpected response, OAuth error or API error");
    } else if (name[0] == 'n') {
        if (r != STRIPE_CONNECT_ERR_MALFORMED_JSON)
            test_fail_str(__FILE__, __LINE__, "invalid JSON: result", stripe_connect_result_string(r),
                          stripe_connect_result_string(STRIPE_CONNECT_ERR_MALFORMED_JSON));
    }
    if (r != STRIPE_CONNECT_OK) CHECK_MEM(&token, sizeof token, &zero, sizeof zero);
    free(body);
    test_end();
}

void suite_json_test_suite(const char *dir)
{
    char message[4200];
    DIR *folder;
    struct dirent *entry;
    size_t count = 0;

    test_begin("JSONTestSuite folder present");
    folder = opendir(dir);
    if (folder == NULL) {
        snprintf(message, sizeof message, "cannot open the JSONTestSuite folder %s "
                 "(pass the test_parsing folder as the first argument)", dir);
        test_fail(__FILE__, __LINE__, message);
        test_end();
        return;
    }
    while ((entry = readdir(folder)) != NULL)
        if (is_suite_file(entry->d_name)) count++;
    if (count < JSON_SUITE_MIN_FILES) {
        snprintf(message, sizeof message, "the JSONTestSuite folder %s holds %lu y_/n_/i_ files, want at least %d",
                 dir, (unsigned long)count, JSON_SUITE_MIN_FILES);
        test_fail(__FILE__, __LINE__, message);
    }
    test_end();

    rewinddir(folder);
    while ((entry = readdir(folder)) != NULL)
        if (is_suite_file(entry->d_name)) run_file(dir, entry->d_name);
    closedir(folder);
}
