/* freestanding.c - the core built for a freestanding target: STRIPE_CONNECT_NO_STDLIB,
   compiled by tests/run.sh with -ffreestanding and -nostdinc, so that only the compiler's
   own headers (stddef.h, stdint.h) can be found. Any libc header fails the build. */
#define STRIPE_CONNECT_NO_STDLIB
#define STRIPE_CONNECT_IMPLEMENTATION
#include "stripe_connect.h"

typedef int freestanding_build;
