/* consumer.c - the program both CMake consumer projects build: it gets the header
   only through the stripe_connect::stripe_connect target, holds the implementation,
   and checks that the version CMake saw is the header's and that a call works. */
#define STRIPE_CONNECT_IMPLEMENTATION
#include <stripe_connect.h>

#include <stdio.h>
#include <string.h>

int main(void)
{
    static const char want_url[] =
        "https://connect.stripe.com/oauth/authorize?response_type=code&client_id=ca_consumer";
    char work[64];
    char url[256];
    size_t url_len = 0;
    stripe_connect_client client;
    stripe_connect_result result;

    if (strcmp(STRIPE_CONNECT_VERSION, CONSUMER_EXPECTED_VERSION) != 0) {
        printf("consumer: header version %s, CMake version %s\n",
               STRIPE_CONNECT_VERSION, CONSUMER_EXPECTED_VERSION);
        return 1;
    }
    stripe_connect_client_init(&client, work, sizeof work);
    client.client_id = "ca_consumer";
    result = stripe_connect_authorize_url(&client, NULL, url, sizeof url, &url_len);
    if (result != STRIPE_CONNECT_OK || strcmp(url, want_url) != 0 || url_len != strlen(want_url)) {
        printf("consumer: authorize_url gave %s, \"%s\"\n", stripe_connect_result_string(result), url);
        return 1;
    }
    printf("consumer: stripe_connect %s ok\n", STRIPE_CONNECT_VERSION);
    return 0;
}
