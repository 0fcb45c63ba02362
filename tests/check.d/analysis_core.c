/* analysis_core.c - stripe_connect.h as tests/check.d/analysis.sh gives it to cppcheck, gcc
   -fanalyzer and (as STRIPE_CONNECT_NO_STDLIB) scan-build: the implementation, as C89.

   It calls nothing, on purpose. The analysers start from every function of the header, with
   arguments they know nothing about (clang: -analyze-headers; gcc and cppcheck do so anyway).
   A call from here would narrow that: clang's analyzer does not analyse a function on its own
   once it has followed a call into it (its "noredundancy" mode), so a call with valid arguments
   hid a NULL dereference planted in stripe_connect_state_generate, which is reported when
   nothing calls it. */
#define STRIPE_CONNECT_IMPLEMENTATION
#include "stripe_connect.h"
