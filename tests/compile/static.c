/* static.c - a STRIPE_CONNECT_STATIC build that calls nothing: every function is
   static to this file and unused, and it must still compile without a warning. */
#define STRIPE_CONNECT_STATIC
#define STRIPE_CONNECT_IMPLEMENTATION
#include "stripe_connect.h"

/* ISO C wants at least one declaration of our own in a translation unit. */
typedef int static_build_calls_nothing;
