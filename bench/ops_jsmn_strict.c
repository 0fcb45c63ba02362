/* ops_jsmn_strict.c - ops_jsmn.c with JSMN_STRICT: a primitive must start as one would (t, f,
   n, '-' or a digit) and stand where a value belongs, and a key must be a string; `tru`, `01`
   and trailing commas still pass, UTF-8 is not checked, nothing is unescaped. */
#define JSMN_STRICT
#define PARSE_JSMN_NAME parse_jsmn_strict
#include "ops_jsmn.c"
