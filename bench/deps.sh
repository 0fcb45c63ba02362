#!/usr/bin/env bash
# bench/deps.sh [--no-gnuplot] - what the benchmarks need, installed when missing: gcc, valgrind
# (callgrind and memcheck), python3, the headers and libraries of libcurl, cJSON and jsmn, and
# gnuplot for the chart (not for tests/check.d/bench.sh: --no-gnuplot). As root, what is missing
# is installed with apt-get (Debian 12 package names); otherwise the exact command is printed and
# the script exits 1. Nothing is installed when nothing is missing. Log: build/bench/apt.log.
set -u
cd "$(dirname "$0")/.." || exit 1

want_gnuplot=1
[ "${1:-}" = "--no-gnuplot" ] && want_gnuplot=0
probe=build/bench/deps
mkdir -p "$probe" || exit 1

# 0 when the C program $2 compiles and links with the flags after it.
links() {
    local name=$1 source=$2
    shift 2
    printf '%s\n' "$source" > "$probe/$name.c"
    gcc "$probe/$name.c" -o "$probe/$name" "$@" > "$probe/$name.log" 2>&1
}

missing_packages() {
    command -v gcc > /dev/null 2>&1 || echo gcc
    command -v valgrind > /dev/null 2>&1 || echo valgrind
    command -v python3 > /dev/null 2>&1 || echo python3
    [ "$want_gnuplot" -eq 0 ] || command -v gnuplot > /dev/null 2>&1 || echo gnuplot-nox
    command -v gcc > /dev/null 2>&1 || return 0
    links curl '#include <curl/curl.h>
int main(void) { CURLU *u = curl_url(); curl_url_cleanup(u); return 0; }' -lcurl || echo libcurl4-openssl-dev
    links cjson '#include <cjson/cJSON.h>
int main(void) { cJSON_Delete(cJSON_Parse("{}")); return 0; }' -lcjson || echo libcjson-dev
    links jsmn '#define JSMN_STATIC
#include <jsmn.h>
int main(void) { jsmn_parser p; jsmn_init(&p); return 0; }' || echo libjsmn-dev
}

missing=$(missing_packages | sort -u | tr '\n' ' ')
missing=${missing% }
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "bench: missing: $missing" >&2
    echo "bench: install them with:" >&2
    echo "    sudo apt-get install -y $missing" >&2
    exit 1
fi
echo "bench: installing $missing (apt-get; log in build/bench/apt.log)"
if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $missing; } \
        > build/bench/apt.log 2>&1 < /dev/null; then
    tail -n 20 build/bench/apt.log >&2
    echo "bench: apt-get install -y $missing failed" >&2
    exit 1
fi
still=$(missing_packages | sort -u | tr '\n' ' ')
still=${still% }
[ -z "$still" ] || { echo "bench: still missing after apt-get: $still" >&2; exit 1; }
