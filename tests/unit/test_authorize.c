/* test_authorize.c - the authorize URL (stripe_connect_authorize_url).

   The URL is exactly: connect base (one trailing '/' dropped), path
   (/oauth/authorize or /express/oauth/authorize), ?response_type=code&client_id=<id>,
   then each parameter that is set (non-NULL), in this order: scope,
   redirect_uri, state, stripe_landing, always_prompt=true,
   stripe_user[<field>] in the struct's order, suggested_capabilities[<i>],
   extra. Values are fully percent-encoded; in keys '[' and ']' stay. */
#include "../../stripe_connect.h"
#include "test.h"
#include "checks.h"

#include <stddef.h>
#include <string.h>

#define AUTHORIZE "https://connect.stripe.com/oauth/authorize?response_type=code&client_id=ca_123"
#define AUTHORIZE_EXPRESS "https://connect.stripe.com/express/oauth/authorize?response_type=code&client_id=ca_123"

static char work[64];

static stripe_connect_client client_with(const char *client_id, const char *connect_base)
{
    stripe_connect_client c;
    stripe_connect_client_init(&c, work, sizeof work);
    c.client_id = client_id;
    c.connect_base = connect_base;
    return c;
}

/* ---- Exact URLs ------------------------------------------------------------------------------ */

typedef struct url_row {
    const char *name;
    const char *connect_base;                    /* NULL: the default */
    const stripe_connect_authorize_params *p;    /* may be NULL */
    const char *want;
} url_row;

static const char *const card_payments_and_transfers[] = { "card_payments", "transfers" };
static const char *const one_empty_capability[] = { "" };
static const stripe_connect_param two_extras[] = {
    { "stripe_user[new_field]", "x y" }, { "a b", "c&d=e" }
};
static const stripe_connect_param empty_extra_value[] = { { "k", "" } };

/* The authorize-URL vectors of Stripe's official libraries (stripe-ruby,
   stripe-python, stripe-node "OAuth authorize_url" tests), written in this
   library's encoding. */
static const stripe_connect_authorize_params stripe_vector = {
    .scope = "read_write", .state = "csrf_token",
    .stripe_user = { .email = "test@example.com", .url = "https://example.com/profile/test", .country = "US" }
};
static const stripe_connect_authorize_params stripe_vector_express = {
    .express = 1, .scope = "read_write", .state = "csrf_token",
    .stripe_user = { .email = "test@example.com", .url = "https://example.com/profile/test", .country = "US" }
};
static const stripe_connect_authorize_params stripe_vector_capabilities = {
    .suggested_capabilities = card_payments_and_transfers, .suggested_capabilities_count = 2
};
static const stripe_connect_authorize_params stripe_vector_street_address = {
    .stripe_user = { .street_address = "1 Main St" }
};

static const stripe_connect_authorize_params nothing_set = { 0 };
static const stripe_connect_authorize_params express_only = { .express = 1 };
static const stripe_connect_authorize_params scope_only = { .scope = "read_only" };
static const stripe_connect_authorize_params redirect_uri_only = {
    .redirect_uri = "https://platform.example/callback?x=1&y=2"
};
static const stripe_connect_authorize_params state_only = { .state = "ab+/cd=" };
static const stripe_connect_authorize_params landing_only = { .stripe_landing = "register" };
static const stripe_connect_authorize_params always_prompt_1 = { .always_prompt = 1 };
static const stripe_connect_authorize_params always_prompt_0 = { .always_prompt = 0, .scope = "read_write" };
static const stripe_connect_authorize_params every_kind_set = {
    .scope = "read_write", .redirect_uri = "https://p.example/cb", .state = "s1",
    .stripe_landing = "login", .always_prompt = 1,
    .stripe_user = { .email = "a@b.c", .country = "US", .building_kanji = "b" },
    .suggested_capabilities = card_payments_and_transfers, .suggested_capabilities_count = 2,
    .extra = two_extras, .extra_count = 2
};
static const stripe_connect_authorize_params every_kind_set_express = {
    .express = 1, .scope = "read_write", .redirect_uri = "https://p.example/cb", .state = "s1",
    .stripe_landing = "login", .always_prompt = 1,
    .stripe_user = { .email = "a@b.c", .country = "US", .building_kanji = "b" },
    .suggested_capabilities = card_payments_and_transfers, .suggested_capabilities_count = 2,
    .extra = two_extras, .extra_count = 2
};
static const stripe_connect_authorize_params empty_strings = {
    .scope = "", .redirect_uri = "", .state = "", .stripe_landing = "",
    .stripe_user = { .email = "" },
    .suggested_capabilities = one_empty_capability, .suggested_capabilities_count = 1,
    .extra = empty_extra_value, .extra_count = 1
};
static const stripe_connect_authorize_params extras_only = { .extra = two_extras, .extra_count = 2 };
static const stripe_connect_authorize_params kanji_name = {
    .stripe_user = { .first_name_kanji = "\xe6\xbc\xa2\xe5\xad\x97", .last_name_kana = "\xe3\x83\xa4" }
};
static const stripe_connect_authorize_params arrays_with_zero_counts = {
    .suggested_capabilities = card_payments_and_transfers, .suggested_capabilities_count = 0,
    .extra = two_extras, .extra_count = 0
};
static const char *const eleven_capabilities[] = { "c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9",
                                                    "c10" };
static const stripe_connect_authorize_params eleven_capabilities_set = {
    .suggested_capabilities = eleven_capabilities, .suggested_capabilities_count = 11
};
static const stripe_connect_authorize_params first_capability_only = {
    .suggested_capabilities = card_payments_and_transfers, .suggested_capabilities_count = 1
};
static const stripe_connect_authorize_params all_stripe_user_fields = {
    .stripe_user = {
        .email = "v1", .url = "v2", .country = "v3", .phone_number = "v4", .business_name = "v5",
        .business_type = "v6", .first_name = "v7", .last_name = "v8", .dob_day = "v9",
        .dob_month = "v10", .dob_year = "v11", .street_address = "v12", .city = "v13",
        .state = "v14", .zip = "v15", .physical_product = "v16", .product_description = "v17",
        .currency = "v18", .first_name_kana = "v19", .first_name_kanji = "v20",
        .last_name_kana = "v21", .last_name_kanji = "v22", .gender = "v23", .block_kana = "v24",
        .block_kanji = "v25", .building_kana = "v26", .building_kanji = "v27"
    }
};

#define ALL_STRIPE_USER_FIELDS \
    "&stripe_user[email]=v1" \
    "&stripe_user[url]=v2" \
    "&stripe_user[country]=v3" \
    "&stripe_user[phone_number]=v4" \
    "&stripe_user[business_name]=v5" \
    "&stripe_user[business_type]=v6" \
    "&stripe_user[first_name]=v7" \
    "&stripe_user[last_name]=v8" \
    "&stripe_user[dob_day]=v9" \
    "&stripe_user[dob_month]=v10" \
    "&stripe_user[dob_year]=v11" \
    "&stripe_user[street_address]=v12" \
    "&stripe_user[city]=v13" \
    "&stripe_user[state]=v14" \
    "&stripe_user[zip]=v15" \
    "&stripe_user[physical_product]=v16" \
    "&stripe_user[product_description]=v17" \
    "&stripe_user[currency]=v18" \
    "&stripe_user[first_name_kana]=v19" \
    "&stripe_user[first_name_kanji]=v20" \
    "&stripe_user[last_name_kana]=v21" \
    "&stripe_user[last_name_kanji]=v22" \
    "&stripe_user[gender]=v23" \
    "&stripe_user[block_kana]=v24" \
    "&stripe_user[block_kanji]=v25" \
    "&stripe_user[building_kana]=v26" \
    "&stripe_user[building_kanji]=v27"

#define STRIPE_VECTOR_QUERY \
    "&scope=read_write&state=csrf_token&stripe_user[email]=test%40example.com" \
    "&stripe_user[url]=https%3A%2F%2Fexample.com%2Fprofile%2Ftest&stripe_user[country]=US"

#define EVERY_KIND_QUERY \
    "&scope=read_write&redirect_uri=https%3A%2F%2Fp.example%2Fcb&state=s1&stripe_landing=login" \
    "&always_prompt=true&stripe_user[email]=a%40b.c&stripe_user[country]=US" \
    "&stripe_user[building_kanji]=b&suggested_capabilities[0]=card_payments" \
    "&suggested_capabilities[1]=transfers&stripe_user[new_field]=x%20y&a%20b=c%26d%3De"

static const url_row url_rows[] = {
    { "authorize_url: Stripe's vector (scope, state, stripe_user email, url, country)",
      NULL, &stripe_vector,
      "https://connect.stripe.com/oauth/authorize?response_type=code&client_id=ca_123&scope=read_write"
      "&state=csrf_token&stripe_user[email]=test%40example.com"
      "&stripe_user[url]=https%3A%2F%2Fexample.com%2Fprofile%2Ftest&stripe_user[country]=US" },
    { "authorize_url: Stripe's vector with express=1 uses /express/oauth/authorize",
      NULL, &stripe_vector_express, AUTHORIZE_EXPRESS STRIPE_VECTOR_QUERY },
    { "authorize_url: Stripe's vector, suggested_capabilities card_payments and transfers",
      NULL, &stripe_vector_capabilities,
      AUTHORIZE "&suggested_capabilities[0]=card_payments&suggested_capabilities[1]=transfers" },
    { "authorize_url: Stripe's vector, stripe_user street_address \"1 Main St\" has %20 for spaces",
      NULL, &stripe_vector_street_address, AUTHORIZE "&stripe_user[street_address]=1%20Main%20St" },

    { "authorize_url: p NULL gives base, path, response_type and client_id only", NULL, NULL, AUTHORIZE },
    { "authorize_url: p with nothing set gives base, path, response_type and client_id only",
      NULL, &nothing_set, AUTHORIZE },
    { "authorize_url: express=1 alone", NULL, &express_only, AUTHORIZE_EXPRESS },
    { "authorize_url: scope alone", NULL, &scope_only, AUTHORIZE "&scope=read_only" },
    { "authorize_url: redirect_uri is fully encoded (: / ? & =)", NULL, &redirect_uri_only,
      AUTHORIZE "&redirect_uri=https%3A%2F%2Fplatform.example%2Fcallback%3Fx%3D1%26y%3D2" },
    { "authorize_url: state is fully encoded (+ / =)", NULL, &state_only, AUTHORIZE "&state=ab%2B%2Fcd%3D" },
    { "authorize_url: stripe_landing alone", NULL, &landing_only, AUTHORIZE "&stripe_landing=register" },
    { "authorize_url: always_prompt=1 adds always_prompt=true", NULL, &always_prompt_1,
      AUTHORIZE "&always_prompt=true" },
    { "authorize_url: always_prompt=0 adds nothing", NULL, &always_prompt_0, AUTHORIZE "&scope=read_write" },
    { "authorize_url: every kind of parameter, in the documented order", NULL, &every_kind_set,
      AUTHORIZE EVERY_KIND_QUERY },
    { "authorize_url: every kind of parameter, express, in the documented order", NULL,
      &every_kind_set_express, AUTHORIZE_EXPRESS EVERY_KIND_QUERY },
    { "authorize_url: all 27 stripe_user fields with their key names, in the struct's order",
      NULL, &all_stripe_user_fields, AUTHORIZE ALL_STRIPE_USER_FIELDS },
    { "authorize_url: empty-string values are set and emitted as key=", NULL, &empty_strings,
      AUTHORIZE "&scope=&redirect_uri=&state=&stripe_landing=&stripe_user[email]="
      "&suggested_capabilities[0]=&k=" },
    { "authorize_url: extra keys keep '[' ']' and encode the rest; values are fully encoded",
      NULL, &extras_only, AUTHORIZE "&stripe_user[new_field]=x%20y&a%20b=c%26d%3De" },
    { "authorize_url: UTF-8 values (kanji, katakana) are encoded byte by byte", NULL, &kanji_name,
      AUTHORIZE "&stripe_user[first_name_kanji]=%E6%BC%A2%E5%AD%97&stripe_user[last_name_kana]=%E3%83%A4" },
    { "authorize_url: arrays with counts of 0 add nothing", NULL, &arrays_with_zero_counts, AUTHORIZE },
    { "authorize_url: suggested_capabilities_count limits the entries used", NULL, &first_capability_only,
      AUTHORIZE "&suggested_capabilities[0]=card_payments" },
    { "authorize_url: the eleventh capability's index is [10], in decimal", NULL, &eleven_capabilities_set,
      AUTHORIZE "&suggested_capabilities[0]=c0&suggested_capabilities[1]=c1&suggested_capabilities[2]=c2"
      "&suggested_capabilities[3]=c3&suggested_capabilities[4]=c4&suggested_capabilities[5]=c5"
      "&suggested_capabilities[6]=c6&suggested_capabilities[7]=c7&suggested_capabilities[8]=c8"
      "&suggested_capabilities[9]=c9&suggested_capabilities[10]=c10" },

    { "authorize_url: connect_base is used as given", "http://127.0.0.1:12111", &scope_only,
      "http://127.0.0.1:12111/oauth/authorize?response_type=code&client_id=ca_123&scope=read_only" },
    { "authorize_url: one trailing '/' of connect_base is dropped", "http://127.0.0.1:12111/", NULL,
      "http://127.0.0.1:12111/oauth/authorize?response_type=code&client_id=ca_123" },
    { "authorize_url: one trailing '/' of connect_base is dropped (express)", "http://127.0.0.1:12111/",
      &express_only, "http://127.0.0.1:12111/express/oauth/authorize?response_type=code&client_id=ca_123" },
    { "authorize_url: only one trailing '/' of connect_base is dropped", "https://connect.example//", NULL,
      "https://connect.example//oauth/authorize?response_type=code&client_id=ca_123" },
    { "authorize_url: a connect_base with a path keeps it", "https://proxy.example/stripe", NULL,
      "https://proxy.example/stripe/oauth/authorize?response_type=code&client_id=ca_123" },
};

static void test_authorize_url_rows(void)
{
    static char out[4096];
    size_t i, out_len;
    stripe_connect_client c;

    for (i = 0; i < sizeof url_rows / sizeof url_rows[0]; i++) {
        const url_row *row = &url_rows[i];
        test_begin(row->name);
        c = client_with("ca_123", row->connect_base);
        memset(out, 0xA5, sizeof out);
        out_len = 99999;
        CHECK_INT(stripe_connect_authorize_url(&c, row->p, out, sizeof out, &out_len), STRIPE_CONNECT_OK);
        CHECK_STR(out, row->want);
        CHECK_INT(out_len, strlen(row->want));
        test_end();
    }
}

static void authorize_url_encodes_the_client_id(void)
{
    char out[256];
    size_t out_len;
    stripe_connect_client c = client_with("ca_a&b c", NULL);
    CHECK_INT(stripe_connect_authorize_url(&c, NULL, out, sizeof out, &out_len), STRIPE_CONNECT_OK);
    CHECK_STR(out, "https://connect.stripe.com/oauth/authorize?response_type=code&client_id=ca_a%26b%20c");
}

/* ---- Each stripe_user field, on its own ----------------------------------------------------- */

typedef struct stripe_user_field_row { size_t offset; const char *want_query; } stripe_user_field_row;

#define FIELD(name) offsetof(stripe_connect_stripe_user, name)

/* The rows below cover every field: the struct has exactly 27 (compile-time check). */
typedef char stripe_user_has_27_fields[sizeof(stripe_connect_stripe_user) == 27 * sizeof(const char *) ? 1 : -1];

static const stripe_user_field_row stripe_user_field_rows[] = {
    { FIELD(email), "&stripe_user[email]=x" },
    { FIELD(url), "&stripe_user[url]=x" },
    { FIELD(country), "&stripe_user[country]=x" },
    { FIELD(phone_number), "&stripe_user[phone_number]=x" },
    { FIELD(business_name), "&stripe_user[business_name]=x" },
    { FIELD(business_type), "&stripe_user[business_type]=x" },
    { FIELD(first_name), "&stripe_user[first_name]=x" },
    { FIELD(last_name), "&stripe_user[last_name]=x" },
    { FIELD(dob_day), "&stripe_user[dob_day]=x" },
    { FIELD(dob_month), "&stripe_user[dob_month]=x" },
    { FIELD(dob_year), "&stripe_user[dob_year]=x" },
    { FIELD(street_address), "&stripe_user[street_address]=x" },
    { FIELD(city), "&stripe_user[city]=x" },
    { FIELD(state), "&stripe_user[state]=x" },
    { FIELD(zip), "&stripe_user[zip]=x" },
    { FIELD(physical_product), "&stripe_user[physical_product]=x" },
    { FIELD(product_description), "&stripe_user[product_description]=x" },
    { FIELD(currency), "&stripe_user[currency]=x" },
    { FIELD(first_name_kana), "&stripe_user[first_name_kana]=x" },
    { FIELD(first_name_kanji), "&stripe_user[first_name_kanji]=x" },
    { FIELD(last_name_kana), "&stripe_user[last_name_kana]=x" },
    { FIELD(last_name_kanji), "&stripe_user[last_name_kanji]=x" },
    { FIELD(gender), "&stripe_user[gender]=x" },
    { FIELD(block_kana), "&stripe_user[block_kana]=x" },
    { FIELD(block_kanji), "&stripe_user[block_kanji]=x" },
    { FIELD(building_kana), "&stripe_user[building_kana]=x" },
    { FIELD(building_kanji), "&stripe_user[building_kanji]=x" },
};
typedef char one_row_per_stripe_user_field[
    sizeof stripe_user_field_rows / sizeof stripe_user_field_rows[0] == 27 ? 1 : -1];

static void test_each_stripe_user_field_alone(void)
{
    char out[512], want[512], name[128];
    size_t i, out_len;
    stripe_connect_client c = client_with("ca_123", NULL);
    stripe_connect_authorize_params p;

    for (i = 0; i < sizeof stripe_user_field_rows / sizeof stripe_user_field_rows[0]; i++) {
        const stripe_user_field_row *row = &stripe_user_field_rows[i];
        strcpy(name, "authorize_url: only stripe_user field set gives ");
        strcat(name, row->want_query + 1);
        test_begin(name);
        memset(&p, 0, sizeof p);
        *(const char **)((char *)&p.stripe_user + row->offset) = "x";
        strcpy(want, AUTHORIZE);
        strcat(want, row->want_query);
        CHECK_INT(stripe_connect_authorize_url(&c, &p, out, sizeof out, &out_len), STRIPE_CONNECT_OK);
        CHECK_STR(out, want);
        test_end();
    }
}

/* ---- Invalid arguments ----------------------------------------------------------------------- */

static const char *const capability_then_null[] = { "card_payments", NULL };
static const stripe_connect_param extra_null_key[] = { { "a", "1" }, { NULL, "2" } };
static const stripe_connect_param extra_null_value[] = { { "a", NULL } };
static const stripe_connect_authorize_params null_capability_entry = {
    .suggested_capabilities = capability_then_null, .suggested_capabilities_count = 2
};
static const stripe_connect_authorize_params null_extra_key = { .extra = extra_null_key, .extra_count = 2 };
static const stripe_connect_authorize_params null_extra_value = { .extra = extra_null_value, .extra_count = 1 };
static const stripe_connect_authorize_params capability_count_without_array = {
    .suggested_capabilities = NULL, .suggested_capabilities_count = 1
};
static const stripe_connect_authorize_params extra_count_without_array = { .extra = NULL, .extra_count = 1 };
/* Counts no array has: the lists stop at their first refusal, so these end at once. */
static const stripe_connect_authorize_params huge_capability_count_without_array = {
    .suggested_capabilities = NULL, .suggested_capabilities_count = (size_t)-1
};
static const stripe_connect_authorize_params huge_extra_count_without_array = {
    .extra = NULL, .extra_count = (size_t)-1
};

typedef struct invalid_row {
    const char *name;
    const char *client_id;
    const stripe_connect_authorize_params *p;
} invalid_row;

static const invalid_row invalid_rows[] = {
    { "authorize_url: client_id NULL is ERR_INVALID_ARGUMENT", NULL, NULL },
    { "authorize_url: client_id \"\" is ERR_INVALID_ARGUMENT", "", NULL },
    { "authorize_url: client_id \"\" with parameters is ERR_INVALID_ARGUMENT", "", &stripe_vector },
    { "authorize_url: a NULL suggested_capabilities entry is ERR_INVALID_ARGUMENT", "ca_123",
      &null_capability_entry },
    { "authorize_url: an extra with a NULL key is ERR_INVALID_ARGUMENT", "ca_123", &null_extra_key },
    { "authorize_url: an extra with a NULL value is ERR_INVALID_ARGUMENT", "ca_123", &null_extra_value },
    { "authorize_url: suggested_capabilities_count 1 with a NULL array is ERR_INVALID_ARGUMENT", "ca_123",
      &capability_count_without_array },
    { "authorize_url: extra_count 1 with a NULL array is ERR_INVALID_ARGUMENT", "ca_123",
      &extra_count_without_array },
    { "authorize_url: suggested_capabilities_count SIZE_MAX with a NULL array is ERR_INVALID_ARGUMENT at once",
      "ca_123", &huge_capability_count_without_array },
    { "authorize_url: extra_count SIZE_MAX with a NULL array is ERR_INVALID_ARGUMENT at once", "ca_123",
      &huge_extra_count_without_array },
};

static void test_authorize_url_invalid_arguments(void)
{
    char out[512];
    size_t i, out_len;
    stripe_connect_client c;

    for (i = 0; i < sizeof invalid_rows / sizeof invalid_rows[0]; i++) {
        const invalid_row *row = &invalid_rows[i];
        test_begin(row->name);
        c = client_with(row->client_id, NULL);
        CHECK_INT(stripe_connect_authorize_url(&c, row->p, out, sizeof out, &out_len),
                  STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
        /* the size query is refused the same way */
        CHECK_INT(stripe_connect_authorize_url(&c, row->p, NULL, 0, &out_len), STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
        test_end();
    }
}

/* The entries are checked as the URL is written, so a refusal comes after some of it is out:
   none of it may be left behind. */
static void test_authorize_url_invalid_arguments_leave_nothing_written(void)
{
    char out[512];
    size_t i, j, out_len;
    int leftover;
    stripe_connect_client c;

    for (i = 0; i < sizeof invalid_rows / sizeof invalid_rows[0]; i++) {
        const invalid_row *row = &invalid_rows[i];
        char name[160];
        strcpy(name, row->name);
        strcat(name, ": out \"\", out_len 0, no part of the URL left");
        test_begin(name);
        c = client_with(row->client_id, NULL);
        memset(out, 'x', sizeof out);
        out_len = 99999;
        CHECK_INT(stripe_connect_authorize_url(&c, row->p, out, sizeof out, &out_len),
                  STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
        CHECK_INT(out[0], '\0');
        CHECK_INT(out_len, 0);
        leftover = 0;
        for (j = 0; j < sizeof out; j++)
            if (out[j] != '\0' && out[j] != 'x') leftover = 1;
        CHECK_INT(leftover, 0);
        test_end();
    }
}

/* connect_base goes into the URL as it is: it must be printable and hold no space. */
typedef struct bad_base_row { const char *name; const char *connect_base; } bad_base_row;

static const bad_base_row bad_base_rows[] = {
    { "authorize_url: a connect_base with a space is ERR_INVALID_ARGUMENT", "https://connect stripe.com" },
    { "authorize_url: a connect_base with LF is ERR_INVALID_ARGUMENT", "https://connect.stripe.com\nX-Evil: 1" },
    { "authorize_url: a connect_base with DEL (0x7F) is ERR_INVALID_ARGUMENT", "https://connect.stripe.com\x7F" },
    { "authorize_url: an empty connect_base is ERR_INVALID_ARGUMENT", "" },
};

static void test_authorize_url_bad_connect_base(void)
{
    char out[512];
    size_t i, out_len;
    stripe_connect_client c;

    for (i = 0; i < sizeof bad_base_rows / sizeof bad_base_rows[0]; i++) {
        const bad_base_row *row = &bad_base_rows[i];
        test_begin(row->name);
        c = client_with("ca_123", row->connect_base);
        memset(out, 'x', sizeof out);
        out_len = 99999;
        CHECK_INT(stripe_connect_authorize_url(&c, &stripe_vector, out, sizeof out, &out_len),
                  STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
        CHECK_INT(out[0], '\0');
        CHECK_INT(out_len, 0);
        test_end();
    }
}

static void authorize_url_with_client_null_is_invalid_argument(void)
{
    char out[256];
    size_t out_len;
    CHECK_INT(stripe_connect_authorize_url(NULL, &stripe_vector, out, sizeof out, &out_len),
              STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
}

static void authorize_url_with_out_len_null_is_invalid_argument(void)
{
    char out[256];
    stripe_connect_client c = client_with("ca_123", NULL);
    CHECK_INT(stripe_connect_authorize_url(&c, &stripe_vector, out, sizeof out, NULL),
              STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
}

static void authorize_url_with_out_null_and_cap_above_0_is_invalid_argument(void)
{
    size_t out_len = 99999;
    stripe_connect_client c = client_with("ca_123", NULL);
    CHECK_INT(stripe_connect_authorize_url(&c, &stripe_vector, NULL, 64, &out_len),
              STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
    CHECK_INT(out_len, 0);
}

/* ---- The secret key never appears ------------------------------------------------------------ */

static void authorize_url_never_contains_the_secret_key(void)
{
    static const char secret[] = "sk_test_4eC39HqLyjWDarjtT1zdp7dc";
    char out[1024];
    size_t out_len;
    stripe_connect_client c = client_with("ca_123", NULL);
    c.secret_key = secret;
    CHECK_INT(stripe_connect_authorize_url(&c, &every_kind_set, out, sizeof out, &out_len), STRIPE_CONNECT_OK);
    CHECK_STR(out, AUTHORIZE EVERY_KIND_QUERY);
    CHECK(!test_mem_contains(out, out_len, secret, strlen(secret)));
    CHECK(!test_mem_contains(out, out_len, "client_secret", strlen("client_secret")));
    CHECK(!test_mem_contains(out, out_len, "sk_", 3));
}

/* ---- Buffer rules ---------------------------------------------------------------------------- */

typedef struct authorize_input {
    const stripe_connect_client *c;
    const stripe_connect_authorize_params *p;
} authorize_input;

static stripe_connect_result produce_authorize_url(const void *input, char *out, size_t cap, size_t *out_len)
{
    const authorize_input *in = (const authorize_input *)input;
    return stripe_connect_authorize_url(in->c, in->p, out, cap, out_len);
}

static void test_authorize_url_buffer_rules(void)
{
    static stripe_connect_client c;
    static stripe_connect_client c_slash;
    authorize_input stripe_vector_input, every_kind_input, no_params_input, slash_base_input;

    c = client_with("ca_123", NULL);
    c_slash = client_with("ca_123", "http://127.0.0.1:12111/");
    stripe_vector_input.c = &c;
    stripe_vector_input.p = &stripe_vector;
    every_kind_input.c = &c;
    every_kind_input.p = &every_kind_set_express;
    no_params_input.c = &c;
    no_params_input.p = NULL;
    slash_base_input.c = &c_slash;
    slash_base_input.p = &scope_only;

    check_text_buffer_rules("authorize_url, Stripe's vector", produce_authorize_url, &stripe_vector_input,
                            AUTHORIZE STRIPE_VECTOR_QUERY, strlen(AUTHORIZE STRIPE_VECTOR_QUERY));
    check_text_buffer_rules("authorize_url, every kind of parameter, express", produce_authorize_url,
                            &every_kind_input, AUTHORIZE_EXPRESS EVERY_KIND_QUERY,
                            strlen(AUTHORIZE_EXPRESS EVERY_KIND_QUERY));
    check_text_buffer_rules("authorize_url, p NULL", produce_authorize_url, &no_params_input,
                            AUTHORIZE, strlen(AUTHORIZE));
    check_text_buffer_rules("authorize_url, connect_base with a trailing '/'", produce_authorize_url,
                            &slash_base_input,
                            "http://127.0.0.1:12111/oauth/authorize?response_type=code&client_id=ca_123&scope=read_only",
                            strlen("http://127.0.0.1:12111/oauth/authorize?response_type=code&client_id=ca_123"
                                   "&scope=read_only"));
}

void suite_authorize(void)
{
    test_authorize_url_rows();
    RUN(authorize_url_encodes_the_client_id);
    test_each_stripe_user_field_alone();
    test_authorize_url_invalid_arguments();
    test_authorize_url_invalid_arguments_leave_nothing_written();
    test_authorize_url_bad_connect_base();
    RUN(authorize_url_with_client_null_is_invalid_argument);
    RUN(authorize_url_with_out_len_null_is_invalid_argument);
    RUN(authorize_url_with_out_null_and_cap_above_0_is_invalid_argument);
    RUN(authorize_url_never_contains_the_secret_key);
    test_authorize_url_buffer_rules();
}
