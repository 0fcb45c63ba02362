/* ops_url.c - the authorize URL and percent-encoding, against libcurl.

   The URL: stripe_connect_authorize_url with scope, redirect_uri, state and three stripe_user
   fields, against libcurl's URL API: curl_url_set(CURLUPART_URL) with the base (response_type
   and client_id already in it), then curl_url_set(CURLUPART_QUERY, "key=value",
   CURLU_APPENDQUERY | CURLU_URLENCODE) for each of the six parameters, curl_url_get, curl_free.
   libcurl is given its best case: the "key=value" strings are made once, before the loop, and
   the URL it returns is used where it is (not copied into a caller's buffer).

   Percent-encoding: stripe_connect_percent_encode of bench/data/encode_1k.txt into a caller's
   buffer, against curl_easy_escape (which allocates the result) and curl_free. Both encode
   every byte but A-Z a-z 0-9 - . _ ~ as %XX with upper-case hex, so the outputs are the same. */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "bench.h"

#define URL_BASE "https://connect.stripe.com/oauth/authorize"
#define URL_CLIENT_ID "ca_FkyHCg7X8mlvCUdMDao4mMxagUfhIwXb"

static stripe_connect_client url_client;
static stripe_connect_authorize_params url_parameters;
static char url_out[2048];

/* The same parameters as key=value strings, for libcurl. */
static const char *const url_pairs[] = {
    "scope=read_write",
    "redirect_uri=https://platform.example.com/stripe/oauth/callback?return_to=/dashboard",
    "state=9GRE0qX6yvkNjHhLbF3sP-t4cWz_Ao2mD7uK1iJeQxY",
    "stripe_user[email]=jo.doe+shop@example.com",
    "stripe_user[url]=https://shop.example.com/jo",
    "stripe_user[business_name]=Jo's Caf\xc3\xa9 & Bakery",
};

const stripe_connect_authorize_params *url_params(void)
{
    return &url_parameters;
}

/* The value of url_pairs[i], after its '='. */
static const char *pair_value(size_t i)
{
    return strchr(url_pairs[i], '=') + 1;
}

int url_prepare(void)
{
    stripe_connect_client_init(&url_client, NULL, 0);
    url_client.client_id = URL_CLIENT_ID;
    memset(&url_parameters, 0, sizeof url_parameters);
    url_parameters.scope = pair_value(0);
    url_parameters.redirect_uri = pair_value(1);
    url_parameters.state = pair_value(2);
    url_parameters.stripe_user.email = pair_value(3);
    url_parameters.stripe_user.url = pair_value(4);
    url_parameters.stripe_user.business_name = pair_value(5);
    return curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK;
}

/* ---- the authorize URL ---- */
static size_t url_len;

int url_stripe_connect(void)
{
    return stripe_connect_authorize_url(&url_client, &url_parameters, url_out, sizeof url_out, &url_len) !=
           STRIPE_CONNECT_OK;
}

/* The URL built with libcurl's URL API into *out (curl_free it); 0 on success. */
static int url_curl_build(char **out)
{
    CURLU *url = curl_url();
    size_t i;
    int bad;
    *out = NULL;
    if (url == NULL) return 1;
    bad = curl_url_set(url, CURLUPART_URL, URL_BASE "?response_type=code&client_id=" URL_CLIENT_ID, 0) != CURLUE_OK;
    for (i = 0; i < sizeof url_pairs / sizeof url_pairs[0] && !bad; i++)
        bad = curl_url_set(url, CURLUPART_QUERY, url_pairs[i], CURLU_APPENDQUERY | CURLU_URLENCODE) != CURLUE_OK;
    if (!bad) bad = curl_url_get(url, CURLUPART_URL, out, 0) != CURLUE_OK;
    curl_url_cleanup(url);
    return bad;
}

int url_curl(void)
{
    char *out;
    int bad = url_curl_build(&out);
    curl_free(out);
    return bad;
}

/* ---- percent-encoding ---- */
static const char *encode_in;
static size_t encode_len;
static char encode_out[4096];
static CURL *encode_easy;

int encode_prepare(void)
{
    encode_in = bench_read_data("encode_1k.txt", &encode_len);
    if (encode_in == NULL || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return 1;
    encode_easy = curl_easy_init();
    return encode_easy == NULL;
}

int encode_stripe_connect(void)
{
    size_t n;
    return stripe_connect_percent_encode(encode_in, encode_len, encode_out, sizeof encode_out, &n) != STRIPE_CONNECT_OK;
}

int encode_curl(void)
{
    char *out = curl_easy_escape(encode_easy, encode_in, (int)encode_len);
    curl_free(out);
    return out == NULL;
}

/* ---- bench check ---- */
/* The query of url decoded into pairs "key=value\n" (form decoding: %XX and '+'), in order. */
static int decoded_query(const char *url, char *out, size_t cap)
{
    const char *at = strchr(url, '?');
    size_t used = 0;
    if (at == NULL) return 1;
    for (at++; *at != '\0';) {
        size_t n = strcspn(at, "&"), eq = strcspn(at, "="), len;
        if (eq > n) return 1;
        if (stripe_connect_percent_decode(at, eq, out + used, cap - used, &len) != STRIPE_CONNECT_OK) return 1;
        used += len;
        out[used++] = '=';
        if (stripe_connect_percent_decode(at + eq + 1, n - eq - 1, out + used, cap - used, &len) != STRIPE_CONNECT_OK)
            return 1;
        used += len;
        out[used++] = '\n';
        at += n + (at[n] == '&');
    }
    out[used] = '\0';
    return 0;
}

int url_check(void)
{
    char *curl_url_text = NULL, library[4096], curl[4096];
    size_t n;
    char *escaped;
    int failed = 0, same;

    if (url_prepare() != 0 || encode_prepare() != 0) return bench_case(0, "URL and encoding inputs ready");
    same = url_stripe_connect() == 0 && url_curl_build(&curl_url_text) == 0 &&
           decoded_query(url_out, library, sizeof library) == 0 &&
           decoded_query(curl_url_text, curl, sizeof curl) == 0 && strcmp(library, curl) == 0 &&
           strncmp(url_out, URL_BASE "?", sizeof URL_BASE) == 0;
    printf("     stripe_connect.h: %s\n     libcurl:          %s\n", url_out, curl_url_text ? curl_url_text : "(none)");
    failed += bench_case(same, "authorize URL: stripe_connect_authorize_url and libcurl's URL API give the same "
                               "parameters in the same order (each decoded)");
    curl_free(curl_url_text);

    escaped = curl_easy_escape(encode_easy, encode_in, (int)encode_len);
    same = escaped != NULL &&
           stripe_connect_percent_encode(encode_in, encode_len, encode_out, sizeof encode_out, &n) == STRIPE_CONNECT_OK &&
           strcmp(escaped, encode_out) == 0;
    printf("     %lu bytes in, %lu out\n", (unsigned long)encode_len, (unsigned long)n);
    failed += bench_case(same, "percent-encoding: stripe_connect_percent_encode and curl_easy_escape give the same bytes");
    curl_free(escaped);
    return failed;
}
