/* analysis_mbedtls.c - adapters/stripe_connect_mbedtls.h as tests/check.d/analysis.sh gives it
   to cppcheck and gcc -fanalyzer: the adapter's implementation with its default POSIX socket
   layer, and the core's, as C99 (the adapter needs it). The core is here for the reason given in
   analysis_curl.c; it calls nothing, for the reason given in analysis_core.c. (The clang tools
   take analysis_library.c.) */
#define _POSIX_C_SOURCE 200809L
#define STRIPE_CONNECT_IMPLEMENTATION
#include "stripe_connect.h"
#define STRIPE_CONNECT_MBEDTLS_IMPLEMENTATION
#include "stripe_connect_mbedtls.h"
