/* two_units_main.cpp - two_units_main.c compiled as C++, linked with the C implementation:
   the header's extern "C" must make the names match. */
#include "two_units_main.c"
