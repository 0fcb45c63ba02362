/* ops_parse.c - a /oauth/token answer parsed three ways: stripe_connect_parse_token_response,
   cJSON (parse, look up the seven fields, copy them into fixed buffers, free) and jsmn
   (ops_jsmn.c). Each copies into the same struct, a stripe_connect_token.

   The competitors are given their best case: they do not zero the struct first (the library
   does, and wipes it on every error), and they check only what the library's caller would need
   to (a string where a string belongs, and that it fits). */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "bench.h"

const char *parse_body;
size_t parse_body_len;
stripe_connect_token parse_token;
static stripe_connect_error parse_error;

static int parse_prepare(const char *file)
{
    parse_body = bench_read_data(file, &parse_body_len);
    return parse_body == NULL;
}

int parse_prepare_500(void) { return parse_prepare("token_500.json"); }
int parse_prepare_4k(void) { return parse_prepare("token_4k.json"); }

/* ---- stripe_connect.h ---- */
int parse_stripe_connect(void)
{
    return stripe_connect_parse_token_response(200, parse_body, parse_body_len, &parse_token, &parse_error) !=
           STRIPE_CONNECT_OK;
}

/* ---- cJSON ---- */
/* Copies a string member into dst[cap]: 0 when copied or absent (or null), 1 when it is of another
   type or too long. */
static int cjson_copy_string(char *dst, size_t cap, const cJSON *item)
{
    size_t n;
    if (item == NULL || cJSON_IsNull(item)) return 0;
    if (!cJSON_IsString(item)) return 1;
    n = strlen(item->valuestring);
    if (n >= cap) return 1;
    memcpy(dst, item->valuestring, n + 1);
    return 0;
}

#define CJSON_COPY(root, name) \
    cjson_copy_string(parse_token.name, sizeof parse_token.name, cJSON_GetObjectItemCaseSensitive(root, #name))

int parse_cjson(void)
{
    cJSON *root = cJSON_ParseWithLength(parse_body, parse_body_len);
    const cJSON *livemode;
    int bad;
    if (root == NULL) return 1;
    bad = !cJSON_IsObject(root);
    bad |= CJSON_COPY(root, access_token);
    bad |= CJSON_COPY(root, refresh_token);
    bad |= CJSON_COPY(root, stripe_publishable_key);
    bad |= CJSON_COPY(root, stripe_user_id);
    bad |= CJSON_COPY(root, scope);
    bad |= CJSON_COPY(root, token_type);
    livemode = cJSON_GetObjectItemCaseSensitive(root, "livemode");
    if (cJSON_IsBool(livemode)) parse_token.livemode = cJSON_IsTrue(livemode);
    else if (livemode != NULL) bad = 1;
    bad |= parse_token.stripe_user_id[0] == '\0';
    cJSON_Delete(root);
    return bad;
}

/* ---- bench check: every parser gives the library's fields ---- */
static int same_token(const stripe_connect_token *a, const stripe_connect_token *b)
{
    return strcmp(a->access_token, b->access_token) == 0 && strcmp(a->refresh_token, b->refresh_token) == 0 &&
           strcmp(a->stripe_publishable_key, b->stripe_publishable_key) == 0 &&
           strcmp(a->stripe_user_id, b->stripe_user_id) == 0 && strcmp(a->scope, b->scope) == 0 &&
           strcmp(a->token_type, b->token_type) == 0 && a->livemode == b->livemode;
}

static int check_parser(const char *file, const char *name, int (*parse)(void), const stripe_connect_token *want)
{
    char label[160];
    int passed;
    memset(&parse_token, 0, sizeof parse_token);
    passed = parse() == 0 && same_token(&parse_token, want);
    snprintf(label, sizeof label, "%s: %s gives the seven fields stripe_connect_parse_token_response gives", file, name);
    return bench_case(passed, label);
}

int parse_check(void)
{
    static const char *const files[] = { "token_500.json", "token_4k.json" };
    stripe_connect_token want;
    int failed = 0;
    size_t i;
    for (i = 0; i < sizeof files / sizeof files[0]; i++) {
        char label[160];
        int ok = parse_prepare(files[i]) == 0 && parse_stripe_connect() == 0 &&
                 strncmp(parse_token.stripe_user_id, "acct_", 5) == 0 && strncmp(parse_token.access_token, "sk_test_", 8) == 0;
        snprintf(label, sizeof label, "%s: stripe_connect_parse_token_response gives OK, acct_... and sk_test_...", files[i]);
        failed += bench_case(ok, label);
        want = parse_token;
        failed += check_parser(files[i], "cJSON", parse_cjson, &want);
        failed += check_parser(files[i], "jsmn", parse_jsmn, &want);
        failed += check_parser(files[i], "jsmn (JSMN_STRICT)", parse_jsmn_strict, &want);
    }
    return failed;
}
