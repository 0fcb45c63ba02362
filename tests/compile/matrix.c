/* matrix.c - the implementation and a call of every public function, for the compile
   matrix in tests/run.sh: gcc and clang as C89, C99 and C11, and (through matrix.cpp)
   g++ and clang++ as C++98 and C++17, each with every warning an error. It is only
   compiled: what the calls do is the unit tests' business. */
#define STRIPE_CONNECT_IMPLEMENTATION
#include "stripe_connect.h"

#include <string.h>

static stripe_connect_result matrix_perform(void *user, const stripe_connect_http_request *req,
                                            stripe_connect_http_response *res)
{
    static const char body[] = "{\"stripe_user_id\":\"acct_matrix\"}";
    (void)user;
    (void)req;
    if (res->body_cap < sizeof body - 1) return STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE;
    memcpy(res->body, body, sizeof body - 1);
    res->body_len = sizeof body - 1;
    res->status = 200;
    return STRIPE_CONNECT_OK;
}

static int matrix_random(void *user, unsigned char *out, size_t n)
{
    size_t i;
    (void)user;
    for (i = 0; i < n; i++) out[i] = (unsigned char)i;
    return 0;
}

int matrix_call_every_function(void);

/* Returns how many calls did not give OK, so that no result is ignored. */
int matrix_call_every_function(void)
{
    static char work[8192];
    static const char *const capabilities[] = { "card_payments", "transfers" };
    static const char token_body[] = "{\"stripe_user_id\":\"acct_matrix\",\"livemode\":false}";
    char text[512], form_buffer[64], state[64];
    size_t len = 0;
    int not_ok = 0;
    stripe_connect_client client;
    stripe_connect_authorize_params params;
    stripe_connect_redirect redirect;
    stripe_connect_token token;
    stripe_connect_token_params token_params;
    stripe_connect_prepared_request prepared;
    stripe_connect_error error;
    stripe_connect_form form;

    stripe_connect_client_init(&client, work, sizeof work);
    client.client_id = "ca_matrix";
    client.secret_key = "sk_test_matrix";
    client.transport.perform = matrix_perform;
    client.transport.user = NULL;
    client.random = matrix_random;

    not_ok += stripe_connect_result_string(STRIPE_CONNECT_OK)[0] == '\0';
    not_ok += stripe_connect_percent_encode("a b", 3, text, sizeof text, &len) != STRIPE_CONNECT_OK;
    not_ok += stripe_connect_percent_decode("a%20b", 5, text, sizeof text, &len) != STRIPE_CONNECT_OK;

    stripe_connect_form_init(&form, form_buffer, sizeof form_buffer);
    stripe_connect_form_add(&form, "metadata[order]", "6735");
    not_ok += stripe_connect_form_finish(&form, &len) != STRIPE_CONNECT_OK;

    memset(&params, 0, sizeof params);
    params.scope = "read_write";
    params.suggested_capabilities = capabilities;
    params.suggested_capabilities_count = sizeof capabilities / sizeof capabilities[0];
    not_ok += stripe_connect_state_generate(&client, state, sizeof state, &len) != STRIPE_CONNECT_OK;
    params.state = state;
    not_ok += stripe_connect_authorize_url(&client, &params, text, sizeof text, &len) != STRIPE_CONNECT_OK;
    not_ok += stripe_connect_parse_redirect("?code=ac_1&state=s", 18, "s", &redirect) != STRIPE_CONNECT_OK;
    not_ok += !stripe_connect_state_equal(state, state);

    not_ok += stripe_connect_exchange_code(&client, "ac_1", &token, &error) != STRIPE_CONNECT_OK;
    not_ok += stripe_connect_refresh(&client, "rt_1", NULL, &token, NULL) != STRIPE_CONNECT_OK;
    memset(&token_params, 0, sizeof token_params);
    token_params.grant_type = "authorization_code";
    token_params.code = "ac_2";
    token_params.assert_capabilities = capabilities;
    token_params.assert_capabilities_count = 2;
    not_ok += stripe_connect_token_call(&client, &token_params, &token, &error) != STRIPE_CONNECT_OK;
    not_ok += stripe_connect_deauthorize(&client, "acct_matrix", &error) != STRIPE_CONNECT_OK;

    not_ok += stripe_connect_token_request_build(&client, &token_params, text, sizeof text, &len,
                                                 &prepared) != STRIPE_CONNECT_OK;
    stripe_connect_wipe(text, sizeof text);
    not_ok += stripe_connect_deauthorize_request_build(&client, "acct_matrix", text, sizeof text, &len,
                                                       &prepared) != STRIPE_CONNECT_OK;
    stripe_connect_wipe(text, sizeof text);
    not_ok += stripe_connect_parse_token_response(200, token_body, sizeof token_body - 1, &token,
                                                  &error) != STRIPE_CONNECT_OK;
    not_ok += stripe_connect_parse_deauthorize_response(200, token_body, sizeof token_body - 1,
                                                        "acct_matrix", &error) != STRIPE_CONNECT_OK;
    stripe_connect_wipe(&token, sizeof token);
    return not_ok;
}
