/* fuzz_authorize_url.c - stripe_connect_authorize_url fed random parameters and capacities.

   Input, read from the front (fuzz.h: a string is a length byte and its bytes):
     flags byte      bit 0 connect_base set, bit 1 params given, bit 2 express, bit 3
                     always_prompt, bit 4 client_id NULL
     broken byte     1..5: one argument made invalid (a NULL capability, a NULL extra key,
                     a NULL extra value, a capability count without its array, an extra count
                     without its array); anything else: none
     capacity        two bytes, big-endian, modulo 4096 (0: the size query, out NULL)
     client_id       string; connect_base (when set) string
     which           byte: bits 0-3 scope, redirect_uri, state, stripe_landing set
     their strings, in that order
     user fields     four bytes: bit i sets stripe_user field i (27 fields, the struct's order),
                     then a string for each field set
     capabilities    byte % 8, then that many strings
     extra           byte % 8, then that many key and value strings

   Checked for every input:
   - ERR_INVALID_ARGUMENT exactly when client_id is missing or empty, connect_base is empty or
     holds anything but printable ASCII without space (the header's check on every base), or
     an argument is broken; with *out_len 0 and out[0] == '\0';
   - otherwise the URL is exactly the one a reference builder written here makes (DESIGN.md's
     order and encoding), and the buffer rules hold: OK => strlen(out) == *out_len < cap;
     BUFFER_TOO_SMALL => *out_len is the URL's length, out[0] == '\0' (cap > 0), and a second
     call with cap = *out_len + 1 gives exactly the URL; the size query gives the same length;
     nothing is written past cap (out is a heap block of exactly cap bytes). */
#define STRIPE_CONNECT_IMPLEMENTATION
#include "../../stripe_connect.h"
#include "fuzz.h"

#define USER_FIELDS 27
static const char *const user_field_names[USER_FIELDS] = {
    "email", "url", "country", "phone_number", "business_name", "business_type", "first_name", "last_name",
    "dob_day", "dob_month", "dob_year", "street_address", "city", "state", "zip", "physical_product",
    "product_description", "currency", "first_name_kana", "first_name_kanji", "last_name_kana",
    "last_name_kanji", "gender", "block_kana", "block_kanji", "building_kana", "building_kanji"
};

/* The field of the struct that user_field_names[i] names. */
static const char **user_field(stripe_connect_stripe_user *u, size_t i)
{
    const char **fields[USER_FIELDS] = {
        &u->email, &u->url, &u->country, &u->phone_number, &u->business_name, &u->business_type,
        &u->first_name, &u->last_name, &u->dob_day, &u->dob_month, &u->dob_year, &u->street_address,
        &u->city, &u->state, &u->zip, &u->physical_product, &u->product_description, &u->currency,
        &u->first_name_kana, &u->first_name_kanji, &u->last_name_kana, &u->last_name_kanji, &u->gender,
        &u->block_kana, &u->block_kanji, &u->building_kana, &u->building_kanji
    };
    return fields[i];
}

/* ---- The reference builder: a growing string --------------------------------------------------- */
typedef struct text { char *s; size_t len, cap; } text;

static void put(text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->s = (char *)realloc(t->s, t->cap);
        if (t->s == NULL) abort();
    }
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = '\0';
}

static void put_str(text *t, const char *s) { put(t, s, strlen(s)); }

static void put_encoded(text *t, const char *s, int is_key)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
            c == '_' || c == '~' || (is_key && (c == '[' || c == ']'))) {
            put(t, s, 1);
        } else {
            char escaped[4];
            sprintf(escaped, "%%%02X", c);
            put(t, escaped, 3);
        }
    }
}

static void put_pair(text *t, const char *key, const char *value)
{
    put_str(t, "&");
    put_encoded(t, key, 1);
    put_str(t, "=");
    put_encoded(t, value, 0);
}

static int base_valid(const char *base)
{
    const unsigned char *p = (const unsigned char *)base;
    if (*p == '\0') return 0;
    for (; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f) return 0;   /* printable ASCII, no space */
    return 1;
}

static void reference_url(const stripe_connect_client *c, const stripe_connect_authorize_params *p, text *t)
{
    const char *base = c->connect_base != NULL ? c->connect_base : "https://connect.stripe.com";
    size_t n = strlen(base), i;
    char key[64];
    if (n > 0 && base[n - 1] == '/') n--;
    put(t, base, n);
    put_str(t, p != NULL && p->express ? "/express/oauth/authorize?" : "/oauth/authorize?");
    put_str(t, "response_type=code&client_id=");
    put_encoded(t, c->client_id, 0);
    if (p == NULL) return;
    if (p->scope != NULL) put_pair(t, "scope", p->scope);
    if (p->redirect_uri != NULL) put_pair(t, "redirect_uri", p->redirect_uri);
    if (p->state != NULL) put_pair(t, "state", p->state);
    if (p->stripe_landing != NULL) put_pair(t, "stripe_landing", p->stripe_landing);
    if (p->always_prompt) put_pair(t, "always_prompt", "true");
    for (i = 0; i < USER_FIELDS; i++) {
        const char *value = *user_field((stripe_connect_stripe_user *)&p->stripe_user, i);
        if (value == NULL) continue;
        sprintf(key, "stripe_user[%s]", user_field_names[i]);
        put_pair(t, key, value);
    }
    for (i = 0; i < p->suggested_capabilities_count; i++) {
        sprintf(key, "suggested_capabilities[%lu]", (unsigned long)i);
        put_pair(t, key, p->suggested_capabilities[i]);
    }
    for (i = 0; i < p->extra_count; i++) put_pair(t, p->extra[i].key, p->extra[i].value);
}

/* ---- The harness ------------------------------------------------------------------------------------ */
#define MAX_STRINGS (6 + USER_FIELDS + 8 + 16)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in;
    stripe_connect_client c;
    stripe_connect_authorize_params params;
    const char *capabilities[8];
    stripe_connect_param extra[8];
    char *strings[MAX_STRINGS];
    size_t string_count = 0, cap, i, got = 12345, query = 12345;
    unsigned flags, broken, which;
    unsigned long user_mask;
    int expect_invalid;
    text want = { NULL, 0, 0 };
    char *out;
    stripe_connect_result r, q;

    fuzz_input_init(&in, data, size);
    flags = fuzz_byte(&in);
    broken = fuzz_byte(&in);
    cap = fuzz_u16(&in) % 4096;

    stripe_connect_client_init(&c, NULL, 0);
    memset(&params, 0, sizeof params);
    memset(capabilities, 0, sizeof capabilities);
    memset(extra, 0, sizeof extra);

#define TAKE_STRING() (strings[string_count] = fuzz_string(&in), strings[string_count++])
    c.client_id = TAKE_STRING();
    if (flags & 16) c.client_id = NULL;
    if (flags & 1) c.connect_base = TAKE_STRING();
    params.express = (flags & 4) != 0;
    params.always_prompt = (flags & 8) != 0;
    which = fuzz_byte(&in);
    if (which & 1) params.scope = TAKE_STRING();
    if (which & 2) params.redirect_uri = TAKE_STRING();
    if (which & 4) params.state = TAKE_STRING();
    if (which & 8) params.stripe_landing = TAKE_STRING();
    user_mask = (unsigned long)fuzz_u16(&in) << 16;
    user_mask |= fuzz_u16(&in);
    for (i = 0; i < USER_FIELDS; i++)
        if (user_mask & (1UL << i)) *user_field(&params.stripe_user, i) = TAKE_STRING();
    params.suggested_capabilities_count = fuzz_byte(&in) % 8;
    for (i = 0; i < params.suggested_capabilities_count; i++) capabilities[i] = TAKE_STRING();
    params.extra_count = fuzz_byte(&in) % 8;
    for (i = 0; i < params.extra_count; i++) {
        extra[i].key = TAKE_STRING();
        extra[i].value = TAKE_STRING();
    }
#undef TAKE_STRING
    params.suggested_capabilities = params.suggested_capabilities_count > 0 ? capabilities : NULL;
    params.extra = params.extra_count > 0 ? extra : NULL;

    expect_invalid = c.client_id == NULL || c.client_id[0] == '\0' ||
                     (c.connect_base != NULL && !base_valid(c.connect_base));
    if (flags & 2) {
        switch (broken) {
        case 1: capabilities[params.suggested_capabilities_count] = NULL;
                params.suggested_capabilities = capabilities;
                params.suggested_capabilities_count++; expect_invalid = 1; break;
        case 2: if (params.extra_count > 0) { extra[0].key = NULL; expect_invalid = 1; } break;
        case 3: if (params.extra_count > 0) { extra[params.extra_count - 1].value = NULL; expect_invalid = 1; } break;
        case 4: params.suggested_capabilities = NULL; params.suggested_capabilities_count++; expect_invalid = 1; break;
        case 5: params.extra = NULL; params.extra_count++; expect_invalid = 1; break;
        default: break;
        }
    }

    out = fuzz_alloc(cap, 0x5a);
    r = stripe_connect_authorize_url(&c, (flags & 2) ? &params : NULL, out, cap, &got);
    q = stripe_connect_authorize_url(&c, (flags & 2) ? &params : NULL, NULL, 0, &query);
    if (out != NULL) fuzz_consume(out, cap);
    fuzz_consume_int(r);
    if (expect_invalid) {
        FUZZ_CHECK(r == STRIPE_CONNECT_ERR_INVALID_ARGUMENT && q == r);
        FUZZ_CHECK(got == 0 && query == 0);
        if (cap > 0) FUZZ_CHECK(out[0] == '\0');
    } else {
        reference_url(&c, (flags & 2) ? &params : NULL, &want);
        FUZZ_CHECK(q == STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL && query == want.len);
        FUZZ_CHECK(got == want.len);
        if (r == STRIPE_CONNECT_OK) {
            FUZZ_CHECK(got < cap && strlen(out) == got && memcmp(out, want.s, got) == 0);
        } else {
            char *exact;
            size_t again = 12345;
            FUZZ_CHECK(r == STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL && got + 1 > cap);
            if (cap > 0) FUZZ_CHECK(out[0] == '\0');
            exact = fuzz_alloc(got + 1, 0x5a);
            FUZZ_CHECK(stripe_connect_authorize_url(&c, (flags & 2) ? &params : NULL, exact, got + 1, &again) ==
                       STRIPE_CONNECT_OK);
            FUZZ_CHECK(again == got && strlen(exact) == got && memcmp(exact, want.s, got) == 0);
            fuzz_consume(exact, got + 1);
            free(exact);
        }
    }
    free(want.s);
    free(out);
    for (i = 0; i < string_count; i++) free(strings[i]);
    return 0;
}
