/* analysis_library.c - stripe_connect.h and both adapters in one translation unit, as C99 with
   POSIX, for the clang tools in tests/check.d/analysis.sh (clang-tidy, scan-build), which start
   from every function of the headers (-analyze-headers). One unit rather than one per target
   (analysis_core.c, analysis_curl.c, analysis_mbedtls.c, which cppcheck and gcc use): each adapter
   needs the core beside it, so that the analysers see what its calls into the core do, and
   clang would then analyse the core three times over; this way it does so once, in about a third
   of the time. The core's C89 build is analysed by scan-build too, as STRIPE_CONNECT_NO_STDLIB.
   It calls nothing, for the reason given in analysis_core.c. */
#define _POSIX_C_SOURCE 200809L
#define STRIPE_CONNECT_IMPLEMENTATION
#include "stripe_connect.h"
#define STRIPE_CONNECT_CURL_IMPLEMENTATION
#include "stripe_connect_curl.h"
#define STRIPE_CONNECT_MBEDTLS_IMPLEMENTATION
#include "stripe_connect_mbedtls.h"
