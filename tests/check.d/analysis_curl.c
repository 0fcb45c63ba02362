/* analysis_curl.c - adapters/stripe_connect_curl.h as tests/check.d/analysis.sh gives it to
   cppcheck and gcc -fanalyzer: the adapter's implementation and the core's, as C99 (the adapter
   needs it). The core is here, although it has its own target (analysis_core.c), so that the
   analysers see what the adapter's calls into it do: an unknown stripe_connect_wipe could keep
   the pointer it is given, and would hide the leak of every buffer the adapter wipes before
   freeing. It calls nothing, for the reason given in analysis_core.c. (The clang tools take
   analysis_library.c.) */
#define STRIPE_CONNECT_IMPLEMENTATION
#include "stripe_connect.h"
#define STRIPE_CONNECT_CURL_IMPLEMENTATION
#include "stripe_connect_curl.h"
