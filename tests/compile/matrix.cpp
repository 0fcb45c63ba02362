/* matrix.cpp - matrix.c compiled as C++ (C++98 and C++17). */
#include "matrix.c"
