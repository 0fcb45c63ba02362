/* analysis_core.c - the translation unit tests/check.d/analysis.sh gives the static analysers
   (cppcheck, clang-tidy, gcc -fanalyzer, scan-build) for stripe_connect.h: the implementation,
   and a call of every public function with arguments a caller could pass, so that the
   analysers follow real paths through the library (a function nobody calls is still analysed
   on its own, but a call shows how the pieces meet). Written as C89, as the core is. It is
   compiled, never run. */
#define STRIPE_CONNECT_IMPLEMENTATION
#include "stripe_connect.h"

#include <string.h>

static stripe_connect_result analysis_perform(void *user, const stripe_connect_http_request *req,
                                              stripe_connect_http_response *res)
{
    static const char body[] = "{\"stripe_user_id\":\"acct_analysis\",\"livemode\":false}";
    (void)user;
    if (req == NULL || res == NULL || res->body == NULL) return STRIPE_CONNECT_ERR_TRANSPORT;
    if (res->body_cap < sizeof body - 1) return STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE;
    memcpy(res->body, body, sizeof body - 1);
    res->body_len = sizeof body - 1;
    res->status = 200;
    res->should_retry = -1;
    return STRIPE_CONNECT_OK;
}

static int analysis_random(void *user, unsigned char *out, size_t n)
{
    size_t i;
    (void)user;
    for (i = 0; i < n; i++) out[i] = (unsigned char)(i * 7u + 3u);
    return 0;
}

static void analysis_sleep(void *user, unsigned long ms)
{
    (void)user;
    (void)ms;
}

int analysis_call_every_function(void);

/* Returns how many calls did not give OK, so that no result is ignored. */
int analysis_call_every_function(void)
{
    static char work[8192];
    static char answer[4096];
    static const char *const capabilities[] = { "card_payments", "transfers" };
    static const char token_body[] = "{\"stripe_user_id\":\"acct_analysis\",\"livemode\":false}";
    static const char api_body[] = "{\"id\":\"ch_1\",\"amount\":2000,\"paid\":true,\"data\":[{\"id\":\"x\"}]}";
    static const stripe_connect_param extra[] = { { "locale", "de" } };
    static const char event[] = "{\"id\":\"evt_1\",\"type\":\"account.application.deauthorized\","
                                "\"account\":\"acct_analysis\",\"data\":{\"object\":{\"id\":\"ca_1\"}}}";
    static const char signature[] = "t=1700000000,v0=00,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd";
    /* Zeroed although each call below writes before it reads: the analysers' loop limits
       (clang's unrolls a loop a few times) cannot follow the 43 characters state_generate
       writes, and would call the state's later bytes garbage. */
    char text[1024] = { 0 }, form_buffer[128] = { 0 }, state[64] = { 0 }, value[64] = { 0 };
    unsigned char digest[32];
    size_t len = 0;
    int not_ok = 0, flag = 0;
    int64_t amount = 0;
    stripe_connect_client client;
    stripe_connect_authorize_params params;
    stripe_connect_redirect redirect;
    stripe_connect_token token;
    stripe_connect_token_params token_params;
    stripe_connect_prepared_request prepared;
    stripe_connect_api_params api;
    stripe_connect_error error;
    stripe_connect_form form;
    stripe_connect_webhook_event webhook;

    stripe_connect_client_init(&client, work, sizeof work);
    client.client_id = "ca_analysis";
    client.secret_key = "sk_test_analysis";
    client.stripe_version = "2024-06-20";
    client.app_name = "analysis";
    client.transport.perform = analysis_perform;
    client.transport.user = NULL;
    client.random = analysis_random;
    client.sleep = analysis_sleep;

    not_ok += stripe_connect_result_string(STRIPE_CONNECT_ERR_NOT_FOUND)[0] == '\0';
    not_ok += stripe_connect_percent_encode("a b", 3, text, sizeof text, &len) != STRIPE_CONNECT_OK;
    not_ok += stripe_connect_percent_decode("a%20b+c", 7, text, sizeof text, &len) != STRIPE_CONNECT_OK;

    stripe_connect_form_init(&form, form_buffer, sizeof form_buffer);
    stripe_connect_form_add(&form, "metadata[order]", "6735");
    stripe_connect_form_add(&form, "amount", "2000");
    not_ok += stripe_connect_form_finish(&form, &len) != STRIPE_CONNECT_OK;

    memset(&params, 0, sizeof params);
    params.scope = "read_write";
    params.redirect_uri = "https://example.com/back";
    params.stripe_user.email = "a@example.com";
    params.suggested_capabilities = capabilities;
    params.suggested_capabilities_count = sizeof capabilities / sizeof capabilities[0];
    params.extra = extra;
    params.extra_count = 1;
    not_ok += stripe_connect_state_generate(&client, state, sizeof state, &len) != STRIPE_CONNECT_OK;
    params.state = state;
    not_ok += stripe_connect_authorize_url(&client, &params, text, sizeof text, &len) != STRIPE_CONNECT_OK;
    not_ok += stripe_connect_parse_redirect("https://example.com/back?code=ac_1&state=s#f", 44, "s",
                                            &redirect) != STRIPE_CONNECT_OK;
    not_ok += !stripe_connect_state_equal(state, state);

    not_ok += stripe_connect_exchange_code(&client, "ac_1", &token, &error) != STRIPE_CONNECT_OK;
    not_ok += stripe_connect_refresh(&client, "rt_1", NULL, &token, NULL) != STRIPE_CONNECT_OK;
    memset(&token_params, 0, sizeof token_params);
    token_params.grant_type = "authorization_code";
    token_params.code = "ac_2";
    token_params.assert_capabilities = capabilities;
    token_params.assert_capabilities_count = 2;
    not_ok += stripe_connect_token_call(&client, &token_params, &token, &error) != STRIPE_CONNECT_OK;
    not_ok += stripe_connect_deauthorize(&client, "acct_analysis", &error) != STRIPE_CONNECT_OK;

    not_ok += stripe_connect_token_request_build(&client, &token_params, text, sizeof text, &len,
                                                 &prepared) != STRIPE_CONNECT_OK;
    stripe_connect_wipe(text, sizeof text);
    not_ok += stripe_connect_deauthorize_request_build(&client, "acct_analysis", text, sizeof text, &len,
                                                       &prepared) != STRIPE_CONNECT_OK;
    stripe_connect_wipe(text, sizeof text);
    not_ok += stripe_connect_parse_token_response(200, token_body, sizeof token_body - 1, &token,
                                                  &error) != STRIPE_CONNECT_OK;
    not_ok += stripe_connect_parse_deauthorize_response(200, token_body, sizeof token_body - 1,
                                                        "acct_analysis", &error) != STRIPE_CONNECT_OK;
    stripe_connect_wipe(&token, sizeof token);

    memset(&api, 0, sizeof api);
    api.method = "POST";
    api.path = "/v1/charges";
    api.params = form_buffer;
    api.params_len = form.len;
    api.stripe_account = "acct_analysis";
    not_ok += stripe_connect_api_request(&client, &api, answer, sizeof answer, &len, &error) != STRIPE_CONNECT_OK;
    not_ok += stripe_connect_json_get_string(api_body, sizeof api_body - 1, "data.0.id", value, sizeof value,
                                             &len) != STRIPE_CONNECT_OK;
    not_ok += stripe_connect_json_get_int(api_body, sizeof api_body - 1, "amount", &amount) != STRIPE_CONNECT_OK;
    not_ok += stripe_connect_json_get_bool(api_body, sizeof api_body - 1, "paid", &flag) != STRIPE_CONNECT_OK;

    not_ok += stripe_connect_webhook_verify(event, sizeof event - 1, signature, "whsec_analysis", 300,
                                            1700000100) != STRIPE_CONNECT_OK;
    not_ok += stripe_connect_webhook_event_read(event, sizeof event - 1, &webhook) != STRIPE_CONNECT_OK;
    stripe_connect_sha256(event, sizeof event - 1, digest);
    not_ok += digest[0] == 0 && digest[1] == 0;
    stripe_connect_hmac_sha256("key", 3, event, sizeof event - 1, digest);
    not_ok += digest[0] == 0 && digest[1] == 0;
    return not_ok + (amount != 2000) + (flag != 1);
}
