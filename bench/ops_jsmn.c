/* ops_jsmn.c - the token answer through jsmn: tokenize, find the seven keys among the top-level
   members, copy their values. jsmn checks the structure only loosely (jsmn 1.1.0 takes
   `{"a" 1}`, `[01, tru]` and `{"a": 1,}`; with JSMN_STRICT still the last two), does not check
   UTF-8 and does not unescape: a value holding \u0041 would be copied as those six bytes. The
   fixtures keep the seven fields free of escapes, so the outputs can still be compared.
   ops_jsmn_strict.c includes this file with JSMN_STRICT defined. */
#include <string.h>

#define JSMN_STATIC
#include <jsmn.h>

#include "bench.h"

#ifndef PARSE_JSMN_NAME
#define PARSE_JSMN_NAME parse_jsmn
#endif

/* Enough for the 4 KiB answer (250 tokens); jsmn needs room for all of them at once. */
#define JSMN_TOKENS 1024
static jsmntok_t jsmn_tokens[JSMN_TOKENS];

typedef struct jsmn_field { const char *name; size_t name_len; char *dst; size_t cap; } jsmn_field;
#define JSMN_FIELD(name) { #name, sizeof #name - 1, parse_token.name, sizeof parse_token.name }
static const jsmn_field jsmn_fields[] = {
    JSMN_FIELD(access_token), JSMN_FIELD(refresh_token), JSMN_FIELD(stripe_publishable_key),
    JSMN_FIELD(stripe_user_id), JSMN_FIELD(scope), JSMN_FIELD(token_type)
};

/* The index of the first token after token i and everything inside it. */
static int jsmn_skip(int i, int count)
{
    int end = jsmn_tokens[i].end;
    for (i++; i < count && jsmn_tokens[i].start < end; i++) {
    }
    return i;
}

static int jsmn_key_is(const jsmntok_t *key, const char *name, size_t name_len)
{
    return (size_t)(key->end - key->start) == name_len && memcmp(parse_body + key->start, name, name_len) == 0;
}

/* Copies a string value into dst[cap]; 1 when it is not a string or does not fit. */
static int jsmn_copy(const jsmntok_t *value, char *dst, size_t cap)
{
    size_t n = (size_t)(value->end - value->start);
    if (value->type != JSMN_STRING || n >= cap) return 1;
    memcpy(dst, parse_body + value->start, n);
    dst[n] = '\0';
    return 0;
}

static int jsmn_member(const jsmntok_t *key, const jsmntok_t *value)
{
    size_t f;
    if (jsmn_key_is(key, "livemode", 8)) {
        if (value->type != JSMN_PRIMITIVE) return 1;
        parse_token.livemode = parse_body[value->start] == 't';
        return 0;
    }
    for (f = 0; f < sizeof jsmn_fields / sizeof jsmn_fields[0]; f++)
        if (jsmn_key_is(key, jsmn_fields[f].name, jsmn_fields[f].name_len))
            return jsmn_copy(value, jsmn_fields[f].dst, jsmn_fields[f].cap);
    return 0;
}

int PARSE_JSMN_NAME(void)
{
    jsmn_parser parser;
    int count, i, bad = 0;
    jsmn_init(&parser);
    count = jsmn_parse(&parser, parse_body, parse_body_len, jsmn_tokens, JSMN_TOKENS);
    if (count < 1 || jsmn_tokens[0].type != JSMN_OBJECT) return 1;
    for (i = 1; i + 1 < count;) {             /* i: a key of the top-level object */
        bad |= jsmn_member(&jsmn_tokens[i], &jsmn_tokens[i + 1]);
        i = jsmn_skip(i + 1, count);
    }
    return bad || parse_token.stripe_user_id[0] == '\0';
}
