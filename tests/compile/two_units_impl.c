/* two_units_impl.c - the translation unit that holds the implementation; it calls the
   library too. Linked with two_units_main.c (or .cpp) and run by tests/run.sh. */
#define STRIPE_CONNECT_IMPLEMENTATION
#include "stripe_connect.h"

#include <string.h>

int two_units_impl_side(void);

/* 1 when the calls made here give what the contract says, else 0. */
int two_units_impl_side(void)
{
    char out[16];
    size_t len = 0;
    if (strcmp(stripe_connect_result_string(STRIPE_CONNECT_OK), "ok") != 0) return 0;
    if (stripe_connect_percent_encode("a b", 3, out, sizeof out, &len) != STRIPE_CONNECT_OK) return 0;
    return len == 5 && strcmp(out, "a%20b") == 0;
}
