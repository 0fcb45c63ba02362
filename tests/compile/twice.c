/* twice.c - the header included, then included again after defining
   STRIPE_CONNECT_IMPLEMENTATION, then a third time: the public part is guarded, the
   implementation appears once. */
#include "stripe_connect.h"
#define STRIPE_CONNECT_IMPLEMENTATION
#include "stripe_connect.h"
#include "stripe_connect.h"

const char *twice_result_name(void);

const char *twice_result_name(void)
{
    return stripe_connect_result_string(STRIPE_CONNECT_ERR_STATE_MISMATCH);
}
