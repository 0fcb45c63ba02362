/* suites.h - every unit-test suite, one per file in tests/unit/. */
#ifndef STRIPE_CONNECT_SUITES_H
#define STRIPE_CONNECT_SUITES_H

void suite_encoding(void);        /* test_encoding.c: percent-encoding, decoding, form builder */
void suite_authorize(void);       /* test_authorize.c: authorize URL */
void suite_redirect(void);        /* test_redirect.c: redirect parsing, state */
void suite_token_response(void);  /* test_token_response.c: token/deauthorize response rules, JSON */
void suite_json_test_suite(const char *dir);  /* test_json_suite.c: JSONTestSuite conformance */
void suite_client(void);          /* test_client.c: requests through a mock transport, the wipe */
void suite_api(void);             /* test_api.c: stripe_connect_api_request through a scripted mock */
void suite_json_lookup(void);     /* test_json_lookup.c: json_get_string/_int/_bool by dotted path */
void suite_webhook(void);         /* test_webhook.c: SHA-256, HMAC-SHA256, webhook verify, event read */
void suite_results(void);         /* test_coverage_results.c: result strings, wipe, client_init edges */
void suite_hygiene(void);         /* test_hygiene.c: no secret left in scratch, structs or out buffers */

#endif
