/* main.c - the unit-test runner. The one translation unit that holds the
   library's implementation; every suite file includes only the header.
   Usage: unit_tests [JSONTestSuite test_parsing folder] */
#define STRIPE_CONNECT_IMPLEMENTATION
#include "../../stripe_connect.h"

#include "suites.h"
#include "test.h"

int main(int argc, char **argv)
{
    const char *json_suite_dir = argc > 1 ? argv[1] : "../shared/testdata/JSONTestSuite/test_parsing";
    suite_encoding();
    suite_authorize();
    suite_redirect();
    suite_token_response();
    suite_json_test_suite(json_suite_dir);
    suite_client();
    suite_api();
    suite_json_lookup();
    suite_webhook();
    suite_results();
    suite_hygiene();
    return test_summary("unit");
}
