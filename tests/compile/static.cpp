/* static.cpp - static.c compiled as C++. */
#include "static.c"
