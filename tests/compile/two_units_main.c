/* two_units_main.c - a second translation unit that includes only the header and calls
   the library; it links against two_units_impl.c. Exit status 0 when both sides work. */
#include "stripe_connect.h"

#include <stdio.h>
#include <string.h>

#ifdef __cplusplus
extern "C"
#endif
int two_units_impl_side(void);

int main(void)
{
    static const char want[] = "https://connect.stripe.com/oauth/authorize?response_type=code&client_id=ca_two";
    char work[64], url[128];
    size_t len = 0;
    stripe_connect_client client;
    stripe_connect_result result;

    stripe_connect_client_init(&client, work, sizeof work);
    client.client_id = "ca_two";
    result = stripe_connect_authorize_url(&client, NULL, url, sizeof url, &len);
    if (result != STRIPE_CONNECT_OK || strcmp(url, want) != 0 || len != sizeof want - 1) {
        printf("two units: authorize_url gave %s, \"%s\"\n", stripe_connect_result_string(result), url);
        return 1;
    }
    if (!two_units_impl_side()) {
        printf("two units: the implementation's side failed\n");
        return 1;
    }
    return 0;
}
