/* symbols.c - the implementation alone, as an ordinary build compiles it. tests/run.sh
   lists the object's undefined symbols (nm -u): no allocator, no stdio, no clock, no
   environment may be among them. */
#define STRIPE_CONNECT_IMPLEMENTATION
#include "stripe_connect.h"

typedef int symbols_build;
