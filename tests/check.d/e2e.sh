#!/usr/bin/env bash
# tests/check.d/e2e.sh - the web example in a real browser, a step of `make check` (also `make e2e`):
#
#   build     build/stripe-connect-web through the Makefile (-Werror); the same source with clang
#             -Werror; build/asan-gcc/stripe-connect-web (ASan+UBSan)
#   browser   Debian's chromium and chromium-driver (and a font), installed with apt-get when
#             missing (as root; otherwise the command to run is printed)
#   e2e       tests/e2e/test_web_connect.py: headless Chromium through chromedriver, the stand-in,
#             the web example; run twice, build/stripe-connect-web over libcurl, then
#             build/asan-gcc/stripe-connect-web over mbedTLS; each of its cases is a case here,
#             its name prefixed with the run ("[curl] ...", "[asan-gcc mbedtls] ...")
#
# Ends with "-- N passed, N failed". Outputs in build/check/e2e/: logs, and each run's
# screenshots in build/check/e2e/<run>/. About a minute once Chromium is installed.
set -u

cd "$(dirname "$0")/../.." || exit 1
out=build/check/e2e
MAKE=${MAKE:-make}
CLANG=${CLANG:-clang}
RUN_TIMEOUT=${E2E_RUN_TIMEOUT:-300}
export PYTHONDONTWRITEBYTECODE=1
unset MAKEFLAGS MFLAGS MAKELEVEL

rm -rf "$out"
mkdir -p "$out" || exit 1
start=$SECONDS
passed=0 failed=0
STEP=e2e
. tests/check.d/common.sh   # case lines, the summary line, install_missing

# ---- Build ----------------------------------------------------------------------------------------
"$MAKE" --no-print-directory build/stripe-connect-web > "$out/build.log" 2>&1
built=$?
case_result "build/stripe-connect-web: cc -std=c99 -Wall -Wextra -Wpedantic -Wshadow -Werror" "$built" "$out/build.log"

"$CLANG" -std=c99 -O2 -Wall -Wextra -Wpedantic -Wshadow -Werror -I. -Iadapters examples/web_connect.c \
    -o "$out/stripe-connect-web-clang" -lcurl -lmbedtls -lmbedx509 -lmbedcrypto > "$out/build-clang.log" 2>&1
case_result "examples/web_connect.c: clang -std=c99 -Wall -Wextra -Wpedantic -Wshadow -Werror" $? "$out/build-clang.log"

"$MAKE" --no-print-directory build/asan-gcc/stripe-connect-web > "$out/build-asan.log" 2>&1
built_asan=$?
case_result "build/asan-gcc/stripe-connect-web: gcc ASan+UBSan" "$built_asan" "$out/build-asan.log"

# ---- Chromium and chromedriver --------------------------------------------------------------------
browser_ready() {
    local missing=""
    command -v chromium > /dev/null 2>&1 || missing="$missing chromium"
    command -v chromedriver > /dev/null 2>&1 || missing="$missing chromium-driver"
    # Without a single font, pages render as empty boxes in the screenshots.
    [ -n "$(fc-list 2> /dev/null | head -n 1)" ] || missing="$missing fonts-dejavu-core"
    [ -z "$missing" ] && { chromium --version 2> /dev/null; chromedriver --version; return 0; }
    if [ "$(id -u)" -ne 0 ]; then
        echo "missing:$missing; install them with: sudo apt-get install -y --no-install-recommends$missing"
        return 1
    fi
    echo "installing:$missing"
    # The lock timeout: another step or session may be installing at the same time.
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends $missing ||
        { apt-get -o DPkg::Lock::Timeout=300 update &&
          DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends $missing; } ||
        return 1
    chromium --version 2> /dev/null && chromedriver --version
}
browser_ready > "$out/browser.log" 2>&1
have_browser=$?
case_result "chromium and chromium-driver installed ($(head -n 1 "$out/browser.log" | tr -d '\n'))" "$have_browser" "$out/browser.log"
[ "$have_browser" -eq 0 ] || finish

# ---- The browser test -----------------------------------------------------------------------------
# e2e_run LABEL BINARY TRANSPORT: the test's output with its case names prefixed, its counts added.
e2e_run() {
    local label=$1 binary=$2 transport=$3 dir log line rc p f
    dir="$out/$(echo "$label" | tr ' ' '-')"
    log="$dir.log"
    timeout --kill-after=10 "$RUN_TIMEOUT" python3 tests/e2e/test_web_connect.py --web "$binary" \
        --transport "$transport" --out "$dir" > "$log" 2>&1 < /dev/null
    rc=$?
    sed -E "s/^(ok   |FAIL )/\1[$label] /" "$log"
    line=$(grep -E '^e2e: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
    if [ -z "$line" ]; then
        printf 'FAIL [%s] tests/e2e/test_web_connect.py ended without its summary line (exit status %s)\n' "$label" "$rc"
        failed=$((failed + 1))
        return
    fi
    p=$(echo "$line" | sed -E 's/^e2e: ([0-9]+) passed, ([0-9]+) failed$/\1/')
    f=$(echo "$line" | sed -E 's/^e2e: ([0-9]+) passed, ([0-9]+) failed$/\2/')
    passed=$((passed + p)) failed=$((failed + f))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        printf 'FAIL [%s] tests/e2e/test_web_connect.py exited with status %s after its summary\n' "$label" "$rc"
        failed=$((failed + 1))
    fi
}

[ "$built" -eq 0 ] && e2e_run "curl" build/stripe-connect-web curl
[ "$built_asan" -eq 0 ] && e2e_run "asan-gcc mbedtls" build/asan-gcc/stripe-connect-web mbedtls
finish
