/* library.c - the implementations, in a translation unit of their own as a program would have
   them: the benchmark's calls into the library are real calls, not inlined into its loops. */
#define STRIPE_CONNECT_IMPLEMENTATION
#include "stripe_connect.h"
#define STRIPE_CONNECT_CURL_IMPLEMENTATION
#include "stripe_connect_curl.h"
