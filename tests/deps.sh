#!/usr/bin/env bash
# tests/deps.sh - the first step of `make test`: checks that every command the tests need is
# here, and that both compilers can build with ASan and UBSan. What is missing is installed
# with apt-get (Debian 12 package names) when running as root; otherwise the exact command is
# printed and the script exits non-zero. Nothing is installed when nothing is missing.
set -u

cd "$(dirname "$0")/.." || exit 1

# command -> the Debian 12 package that provides it
commands="gcc g++ clang clang++ cmake make nm python3 pkg-config"
package_of() {
    case "$1" in
        clang|clang++) echo clang ;;
        nm)            echo binutils ;;
        *)             echo "$1" ;;
    esac
}

probe_dir=build/deps
mkdir -p "$probe_dir" || exit 1

# 0 when $1 compiles, links and runs a program with ASan and UBSan.
sanitizers_work() {
    printf 'int main(void) { return 0; }\n' > "$probe_dir/probe.c"
    "$1" -fsanitize=address,undefined "$probe_dir/probe.c" -o "$probe_dir/probe-$1" \
        > "$probe_dir/probe-$1.log" 2>&1 && "./$probe_dir/probe-$1" >> "$probe_dir/probe-$1.log" 2>&1
}

# The package that holds $1's sanitizer runtimes (libgcc-12-dev, libclang-rt-14-dev, ...).
sanitizer_package_of() {
    local major
    case "$1" in
        gcc)   major=$(gcc -dumpversion 2>/dev/null | cut -d. -f1); echo "libgcc-${major:-12}-dev" ;;
        clang) major=$(clang -dumpversion 2>/dev/null | cut -d. -f1); echo "libclang-rt-${major:-14}-dev" ;;
    esac
}

# Prints the packages still needed, one per line (none when all is well).
missing_packages() {
    local command compiler
    for command in $commands; do
        command -v "$command" > /dev/null 2>&1 || package_of "$command"
    done
    for compiler in gcc clang; do
        if command -v "$compiler" > /dev/null 2>&1 && ! sanitizers_work "$compiler"; then
            echo "deps: $compiler cannot build with -fsanitize=address,undefined" \
                 "(see $probe_dir/probe-$compiler.log)" >&2
            sanitizer_package_of "$compiler"
        fi
    done
    # ---- BEGIN curl adapter: libcurl's headers and .pc file, for build/test_curl_adapter ----
    pkg-config --exists libcurl 2> /dev/null || echo libcurl4-openssl-dev
    # ---- END curl adapter ----
    # ---- BEGIN integration: tests/integration/ makes its certificates with the openssl CLI and
    # runs the tool under valgrind memcheck (python3 is in $commands above) ----
    command -v openssl > /dev/null 2>&1 || echo openssl
    command -v valgrind > /dev/null 2>&1 || echo valgrind
    # ---- END integration ----
    # ---- BEGIN mbedTLS adapter: mbedTLS's headers and libraries (libmbedtls-dev), for
    # build/unit_http/http_reader_tests, build/test_mbedtls_adapter and the examples ----
    printf '#include <mbedtls/ssl.h>\nint main(void) { mbedtls_ssl_context s; mbedtls_ssl_init(&s);\n    mbedtls_ssl_free(&s); return 0; }\n' \
        > "$probe_dir/mbedtls.c"
    gcc "$probe_dir/mbedtls.c" -o "$probe_dir/mbedtls" -lmbedtls -lmbedx509 -lmbedcrypto \
        > "$probe_dir/mbedtls.log" 2>&1 || echo libmbedtls-dev
    # ---- END mbedTLS adapter ----
}

missing=$(missing_packages | sort -u | tr '\n' ' ')
missing=${missing% }
if [ -z "$missing" ]; then
    echo "deps: $commands, and ASan+UBSan with gcc and clang: all present"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "deps: missing: $missing" >&2
    echo "deps: install them with:" >&2
    echo "    sudo apt-get install -y $missing" >&2
    exit 1
fi

echo "deps: installing $missing (apt-get; log in $probe_dir/apt.log)"
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update && apt-get install -y $missing; } > "$probe_dir/apt.log" 2>&1 < /dev/null; then
    tail -n 20 "$probe_dir/apt.log" >&2
    echo "deps: apt-get install -y $missing failed" >&2
    exit 1
fi

# A compiler installed just now may still lack its sanitizer runtimes: one more round.
more=$(missing_packages | sort -u | tr '\n' ' ')
more=${more% }
if [ -n "$more" ] && ! apt-get install -y $more >> "$probe_dir/apt.log" 2>&1 < /dev/null; then
    tail -n 20 "$probe_dir/apt.log" >&2
    echo "deps: apt-get install -y $more failed" >&2
    exit 1
fi

still=$(missing_packages | sort -u | tr '\n' ' ')
still=${still% }
if [ -n "$still" ]; then
    echo "deps: still missing after apt-get: $still" >&2
    exit 1
fi
echo "deps: installed; $commands, and ASan+UBSan with gcc and clang: all present"
