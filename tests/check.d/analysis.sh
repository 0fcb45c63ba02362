#!/usr/bin/env bash
# tests/check.d/analysis.sh - static analysis with zero findings, a step of `make check`.
#
# Four analysers over four targets, one case line each ("ok   TOOL TARGET"):
#
#   target                              translation units (in tests/check.d/)
#   stripe_connect.h                    analysis_core.c (C89), analysis_library.c (C99)
#   adapters/stripe_connect_curl.h      analysis_curl.c, analysis_library.c (C99, libcurl)
#   adapters/stripe_connect_mbedtls.h   analysis_mbedtls.c, analysis_library.c (C99, mbedTLS, POSIX)
#   examples/connect_cli.c              the tool itself (the core and both adapters inside)
#   Each analysis_*.c defines the implementation(s) and calls nothing (analysis_core.c says why);
#   cppcheck and gcc take one unit per target, the clang tools analysis_library.c, which holds
#   all three (it says why), and report on each target's file.
#
#   cppcheck     --enable=warning,style,performance,portability --inconclusive, the target's
#                --std, --library=posix (and libcurl). System headers are not given to it (its
#                manual's advice); the macros the code tests from them (LIBCURL_VERSION_NUM,
#                MBEDTLS_VERSION_NUMBER, the MBEDTLS_* options) are asked of the compiler and
#                passed with -D, which also pins one configuration per run. The core is checked
#                as shipped, as STRIPE_CONNECT_STATIC and as STRIPE_CONNECT_NO_STDLIB; the mbedTLS
#                adapter as built here and as on a device (its own sockets and clock, no
#                MBEDTLS_FS_IO or MBEDTLS_ERROR_C).
#   clang-tidy   the checks of /.clang-tidy (bugprone-*, cert-*, clang-analyzer-*, misc-*,
#                portability-*; the one left out is listed there with its reason), every warning
#                an error, headers included.
#   scan-build   clang's analyzer: its default checkers plus valist, security.FloatLoopCounter,
#                optin.portability.UnixAPI, security.insecureAPI.strcpy and .rand;
#                --status-bugs, so a report fails. Also the core alone as C89 and
#                STRIPE_CONNECT_NO_STDLIB (its own memcpy/memset/strlen loops, asserts off).
#                For both clang tools the analyzer starts from every function of the headers
#                (-analyze-headers): by default it skips functions defined in an #included file
#                unless the .c file calls them, and then only with the caller's arguments. Not
#                for examples/connect_cli.c, whose headers are analysed on their own.
#   gcc          -O1 -fanalyzer -Werror: any analyzer warning fails; so does "analysis bailed out
#                early", for then part of the code was never looked at. GCC 12's analyzer gives
#                up on this code after 22 of the core's 78 functions unless it summarises calls
#                (-fanalyzer-call-summaries, with a budget of 30 nodes per basic block), and with
#                summaries its use-of-uninitialized-value checker loses what a callee writes
#                through a pointer: every out-parameter reads as uninitialised (40-odd false
#                reports). So that one checker is off here (-Wno-analyzer-use-of-uninitialized-
#                value); uninitialised reads are covered by clang's core.uninitialized checkers
#                and cppcheck's uninitvar above, and at run time by valgrind (memcheck.sh). The
#                core also as NO_STDLIB.
#   examples/connect_cli.c is checked by clang-tidy without cert-err33-c (the reason is in
#   /.clang-tidy).
#
# Then the gate shows it can fail ("ok   TOOL reports the ... planted in copies"): each analyser
# runs, with the options above, over copies in build/check/analysis/planted/ where
# stripe_connect.h has gained a NULL dereference and an uninitialised read, and
# adapters/stripe_connect_curl.h a leak (malloc without free); it passes only when the analyser
# fails and names each planted line (gcc: the NULL dereference and the leak, its
# uninitialised-value checker being off).
#
# No suppressions: every finding was fixed in the code. If one is ever needed, it goes here, with
# a comment saying why it is safe (cppcheck: --suppress=ID:FILE:LINE; clang-tidy: /.clang-tidy).
#
# Runs from anywhere (it moves to the repository's root); installs what it lacks with apt-get
# as root (otherwise prints the command and exits 1). Two runs at a time (ANALYSIS_JOBS,
# default 2). Logs in build/check/analysis/: one per run, named after it; gcc/ holds gcc's whole
# output (with the routine "terminating analysis for this program point" lines), scan-build/ the
# HTML reports when it found something, planted/ the copies with bugs. Ends with
# "-- N passed, N failed (T s)".
set -u

cd "$(dirname "$0")/../.." || exit 1
out=build/check/analysis
jobs=${ANALYSIS_JOBS:-2}
start=$SECONDS
passed=0 failed=0
STEP=analysis
. tests/check.d/common.sh   # case lines, the summary line, install_missing

rm -rf "$out"
mkdir -p "$out/status" "$out/scan-build" "$out/gcc" || exit 1

# ---- What it needs ---------------------------------------------------------------------------
# thing:package - a command, or a header (<...>) the compiler must find.
needed="cppcheck:cppcheck
clang-tidy:clang-tidy
scan-build:clang-tools
clang:clang
gcc:gcc
pkg-config:pkg-config
<curl/curl.h>:libcurl4-openssl-dev
<mbedtls/ssl.h>:libmbedtls-dev"

have() {
    case "$1" in
        "<"*) printf '#include %s\n' "$1" | gcc -E -x c - > /dev/null 2>&1 ;;
        clang-tidy) command -v clang-tidy > /dev/null 2>&1 || command -v clang-tidy-14 > /dev/null 2>&1 ;;
        scan-build) command -v scan-build > /dev/null 2>&1 || command -v scan-build-14 > /dev/null 2>&1 ;;
        *) command -v "$1" > /dev/null 2>&1 ;;
    esac
}

missing_packages() {
    local line
    while IFS= read -r line; do
        have "${line%%:*}" || echo "${line##*:}"
    done <<< "$needed" | sort -u | tr '\n' ' '
}

if ! install_missing; then
    echo "FAIL the analysers are installed (cppcheck, clang-tidy, scan-build, gcc, libcurl and mbedTLS headers)"
    failed=1
    finish
fi

CLANG_TIDY=$(command -v clang-tidy || command -v clang-tidy-14)
SCAN_BUILD=$(command -v scan-build || command -v scan-build-14)
CURL_CFLAGS=$(pkg-config --cflags libcurl 2> /dev/null)
echo "analysis: $(cppcheck --version); clang-tidy $("$CLANG_TIDY" --version | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -n 1);" \
     "$(gcc --version | head -n 1); scan-build with $(clang --version | head -n 1)"

# ---- What the code tests in the libraries' headers, for cppcheck ---------------------------------
# macro_value HEADERS NAME: what NAME expands to after including HEADERS (as the compiler sees it).
macro_value() {
    printf '#define _POSIX_C_SOURCE 200809L\n'"$1"'\n' | gcc -dM -E -x c - $CURL_CFLAGS 2> /dev/null |
        awk -v name="$2" '$1 == "#define" && $2 == name { print ($3 == "" ? "1" : $3); exit }'
}
MBEDTLS_HEADERS='#include <mbedtls/version.h>\n#include <mbedtls/ssl.h>\n#include <mbedtls/x509_crt.h>'
curl_version=$(macro_value '#include <curl/curl.h>' LIBCURL_VERSION_NUM)
mbedtls_version=$(macro_value "$MBEDTLS_HEADERS" MBEDTLS_VERSION_NUMBER)
# The MBEDTLS_* names the adapter tests with defined(...): -D for each this mbedTLS defines.
mbedtls_options=""
for option in $(grep -oE 'defined\(MBEDTLS_[A-Z0-9_]+\)' adapters/stripe_connect_mbedtls.h | sort -u |
                sed -E 's/defined\((.*)\)/\1/'); do
    [ -n "$(macro_value "$MBEDTLS_HEADERS" "$option")" ] && mbedtls_options="$mbedtls_options -D$option"
done
# Linux's <sys/socket.h> has MSG_NOSIGNAL (and no SO_NOSIGPIPE): the branch the build takes.
posix_options="-D_POSIX_C_SOURCE=200809L"
[ -n "$(macro_value '#include <sys/socket.h>' MSG_NOSIGNAL)" ] && posix_options="$posix_options -DMSG_NOSIGNAL=0x4000"
[ -n "$(macro_value '#include <sys/socket.h>' SO_NOSIGPIPE)" ] && posix_options="$posix_options -DSO_NOSIGPIPE=1"

CORE_DEFINES="-DSTRIPE_CONNECT_IMPLEMENTATION"
CURL_DEFINES="$CORE_DEFINES -DSTRIPE_CONNECT_CURL_IMPLEMENTATION -DLIBCURL_VERSION_NUM=${curl_version:-0}"
MBEDTLS_DEFINES="$CORE_DEFINES -DSTRIPE_CONNECT_MBEDTLS_IMPLEMENTATION -DMBEDTLS_VERSION_NUMBER=${mbedtls_version:-0}"
# The mbedTLS adapter as built here (POSIX sockets, this mbedTLS's options), and as on a device.
MBEDTLS_HOST="$posix_options$mbedtls_options"
MBEDTLS_DEVICE="-DSTRIPE_CONNECT_MBEDTLS_NO_DEFAULT_SOCKET -DSTRIPE_CONNECT_MBEDTLS_CLOCK_MS()=0UL"
CLI_DEFINES="$CURL_DEFINES $MBEDTLS_DEFINES $MBEDTLS_HOST"
echo "cppcheck is told: LIBCURL_VERSION_NUM=$curl_version MBEDTLS_VERSION_NUMBER=$mbedtls_version$mbedtls_options $posix_options"

# ---- The analysers --------------------------------------------------------------------------------
# run_TOOL ROOT SOURCE STD ... CONFIGURATIONS: ROOT holds stripe_connect.h and adapters/ (. or a
# planted copy); CONFIGURATIONS is a ';'-separated list of extra -D flags, "" being the code as
# shipped. Each prints what the tool said and returns non-zero on a finding.

CPPCHECK_FLAGS=(--enable=warning,style,performance,portability --inconclusive --error-exitcode=1 --quiet
                --language=c --library=posix "--template={file}:{line}:{column}: {severity}: {message} [{id}]")
CLANG_ALL_FUNCTIONS="-Xclang -analyzer-opt-analyze-headers"
SCAN_BUILD_FLAGS="--status-bugs -enable-checker valist -enable-checker security.FloatLoopCounter
 -enable-checker optin.portability.UnixAPI -enable-checker security.insecureAPI.strcpy
 -enable-checker security.insecureAPI.rand"
GCC_ANALYZER_FLAGS="-O1 -fanalyzer -fanalyzer-call-summaries --param=analyzer-bb-explosion-factor=30
 -Wno-analyzer-use-of-uninitialized-value -Wanalyzer-too-complex -Wno-error=analyzer-too-complex
 -Werror -fdiagnostics-plain-output"

configurations_of() {   # sets the array configurations from a ';'-separated list
    IFS=';' read -r -a configurations <<< "$1"
    [ "${#configurations[@]}" -eq 0 ] && configurations=("")
}

run_cppcheck() {
    local root=$1 source=$2 std=$3 defines=$4 configuration status=0 libraries=""
    case "$source" in *curl*|*connect_cli*) libraries="--library=libcurl" ;; esac
    configurations_of "$5"
    for configuration in "${configurations[@]}"; do
        echo "--- cppcheck --std=$std $libraries $defines $configuration $source"
        cppcheck "${CPPCHECK_FLAGS[@]}" --std="$std" $libraries -I"$root" -I"$root/adapters" $defines $configuration \
            "$source" 2>&1 || status=1
    done
    return $status
}

# run_clang_tidy ROOT SOURCE STD EXTRA CONFIGURATIONS [headers]: "headers" analyses every
# function of the headers too.
run_clang_tidy() {
    local root=$1 source=$2 std=$3 extra=$4 configuration status=0 headers=""
    [ "${6:-}" = headers ] && headers=$CLANG_ALL_FUNCTIONS
    configurations_of "$5"
    for configuration in "${configurations[@]}"; do
        echo "--- clang-tidy $extra $source -- -std=$std $configuration $headers"
        "$CLANG_TIDY" --config-file=.clang-tidy --quiet $extra "$source" -- \
            -std="$std" -I"$root" -I"$root/adapters" $CURL_CFLAGS $configuration $headers 2>&1 || status=1
    done
    return $status
}

run_scan_build() {
    local root=$1 source=$2 std=$3 reports=$4 configuration status=0 n=0 headers=""
    [ "${6:-}" = headers ] && headers=-analyze-headers
    configurations_of "$5"
    for configuration in "${configurations[@]}"; do
        n=$((n + 1))
        echo "--- scan-build $headers clang -std=$std $configuration $source"
        "$SCAN_BUILD" $SCAN_BUILD_FLAGS $headers -o "$reports" --use-cc=clang \
            clang -std="$std" -I"$root" -I"$root/adapters" $CURL_CFLAGS $configuration \
            -c "$source" -o "$reports-$n.o" 2>&1 || status=1
    done
    return $status
}

run_gcc_analyzer() {
    local root=$1 source=$2 std=$3 objects=$4 configuration status=0 n=0 log
    configurations_of "$5"
    for configuration in "${configurations[@]}"; do
        n=$((n + 1))
        log="$objects-$n.log"
        echo "--- gcc -std=$std $(echo $GCC_ANALYZER_FLAGS) $configuration $source"
        gcc -std="$std" $GCC_ANALYZER_FLAGS -I"$root" -I"$root/adapters" $CURL_CFLAGS $configuration \
            -c "$source" -o "$objects-$n.o" > "$log" 2>&1 || status=1
        # "terminating analysis for this program point" (a loop explored as far as it goes) is
        # routine and only in $log; everything else is shown.
        grep -v -e 'terminating analysis for this program point' -e 'note: ' -e 'In function' \
                -e 'In file included from' -e '^ *from ' "$log"
        if grep -q 'analysis bailed out early' "$log"; then
            echo "gcc's analyzer gave up before the end: raise analyzer-bb-explosion-factor in GCC_ANALYZER_FLAGS"
            status=1
        fi
    done
    return $status
}

# ---- Cases, two at a time ---------------------------------------------------------------------------
# add_case NAME COMMAND...: queued (COMMAND is eval'ed: quote its arguments for that). run_cases
# runs the queue $jobs at a time and prints the case lines in the order they were added, each
# with its time; a failure shows what the tool reported (the whole log is named on the line).
case_names=() case_commands=()
add_case() {
    case_names+=("$1")
    shift
    case_commands+=("$*")
}

# The log of a run: its name made a file name ("TOOL {A|B|...}" is TOOL-library.log).
log_of() { echo "$out/$(echo "$1" | sed -E 's| \{.*\}$| library|; s|[^A-Za-z0-9._]+|-|g').log"; }

run_one() {
    local i=$1 log t0=$SECONDS
    log=$(log_of "${case_names[$i]}")
    eval "${case_commands[$i]}" > "$log" 2>&1 < /dev/null
    echo "$? $((SECONDS - t0))" > "$out/status/$i"
}

# A run named "TOOL {A|B|...}" covers several targets and gets one case line per target: a
# target fails when the tool reported something in its file; all of them fail when the run failed
# with nothing to blame on any one of them (it did not compile, or a report elsewhere).
reported_in() {   # reported_in LOG FILE: the tool's reports located in FILE
    grep -E "(^|/)${2//./\\.}:[0-9]+:([0-9]+:)? (warning|error)" "$1"
}

report_case() {
    local i=$1 status seconds log name tool target label blamed=0 targets
    read -r status seconds < "$out/status/$i"
    name=${case_names[$i]}
    log=$(log_of "$name")
    if [[ "$name" =~ ^(.*)\ \{(.*)\}$ ]]; then
        tool="${BASH_REMATCH[1]} "
        IFS='|' read -r -a targets <<< "${BASH_REMATCH[2]}"
        if [ "$status" != 0 ]; then
            for target in "${targets[@]}"; do reported_in "$log" "$target" > /dev/null && blamed=1; done
        fi
    else
        tool="" targets=("$name")
    fi
    for target in "${targets[@]}"; do
        label="$tool$target"
        if [ "$status" = 0 ] || { [ "$blamed" = 1 ] && ! reported_in "$log" "$target" > /dev/null; }; then
            printf 'ok   %s (%s s)\n' "$label" "$seconds"
            passed=$((passed + 1))
        else
            printf 'FAIL %s (%s s; %s)\n' "$label" "$seconds" "$log"
            if [ "$blamed" = 1 ]; then
                reported_in "$log" "$target"
            else
                grep -E 'warning|error|bugs? found|^---|gave up|planted|reported' "$log" | grep -v 'warnings generated'
            fi | head -n 40 | sed 's/^/     | /'
            failed=$((failed + 1))
        fi
    done
}

run_cases() {
    local i running=0 shown=0
    for ((i = 0; i < ${#case_names[@]}; i++)); do
        while [ "$running" -ge "$jobs" ]; do
            wait -n
            running=$((running - 1))
            while [ "$shown" -lt "$i" ] && [ -e "$out/status/$shown" ]; do report_case "$shown"; shown=$((shown + 1)); done
        done
        run_one "$i" &
        running=$((running + 1))
    done
    wait
    while [ "$shown" -lt "${#case_names[@]}" ]; do report_case "$shown"; shown=$((shown + 1)); done
    case_names=() case_commands=()
    rm -f "$out"/status/*
}

# ---- The targets --------------------------------------------------------------------------------------
core=tests/check.d/analysis_core.c
curl=tests/check.d/analysis_curl.c
mbedtls=tests/check.d/analysis_mbedtls.c
cli=examples/connect_cli.c
library=tests/check.d/analysis_library.c
NO_STDLIB="-DSTRIPE_CONNECT_NO_STDLIB"

echo "== the library, the adapters and the tool"
LIBRARY_TARGETS="{stripe_connect.h|adapters/stripe_connect_curl.h|adapters/stripe_connect_mbedtls.h}"
# The longest first, so that the two lanes end together.
add_case "scan-build $LIBRARY_TARGETS" run_scan_build . $library c99 "$out/scan-build/library" "''" headers
add_case "clang-tidy $LIBRARY_TARGETS" run_clang_tidy . $library c99 "''" "''" headers
add_case "scan-build examples/connect_cli.c" run_scan_build . $cli c99 "$out/scan-build/cli" "''"
add_case "clang-tidy examples/connect_cli.c" run_clang_tidy . $cli c99 -checks=-cert-err33-c "''"
add_case "scan-build stripe_connect.h as C89 and STRIPE_CONNECT_NO_STDLIB" \
    run_scan_build . $core c89 "$out/scan-build/core" "'$NO_STDLIB'" headers
add_case "gcc -fanalyzer examples/connect_cli.c" run_gcc_analyzer . $cli c99 "$out/gcc/cli" "''"
add_case "gcc -fanalyzer adapters/stripe_connect_mbedtls.h" run_gcc_analyzer . $mbedtls c99 "$out/gcc/mbedtls" "''"
add_case "gcc -fanalyzer adapters/stripe_connect_curl.h" run_gcc_analyzer . $curl c99 "$out/gcc/curl" "''"
add_case "gcc -fanalyzer stripe_connect.h" run_gcc_analyzer . $core c89 "$out/gcc/core" "';$NO_STDLIB'"
add_case "cppcheck examples/connect_cli.c" run_cppcheck . $cli c99 "'$CLI_DEFINES'" "''"
add_case "cppcheck adapters/stripe_connect_mbedtls.h" run_cppcheck . $mbedtls c99 "'$MBEDTLS_DEFINES'" \
    "'$MBEDTLS_HOST;$MBEDTLS_DEVICE'"
add_case "cppcheck adapters/stripe_connect_curl.h" run_cppcheck . $curl c99 "'$CURL_DEFINES'" "''"
add_case "cppcheck stripe_connect.h" run_cppcheck . $core c89 "'$CORE_DEFINES'" \
    "';-DSTRIPE_CONNECT_STATIC -D__GNUC__;$NO_STDLIB'"
run_cases

# ---- The gate can fail: bugs planted in copies --------------------------------------------------------
# Copies of the sources, with a NULL dereference and an uninitialised read planted in
# stripe_connect.h and a leak in adapters/stripe_connect_curl.h; the clang tools take
# analysis_library.c, cppcheck and gcc analysis_curl.c, as above.
planted=$out/planted
mkdir -p "$planted/adapters"

# plant FILE ANCHOR: inserts stdin into FILE before the line ANCHOR, which must be there once.
plant() {
    local file=$1 anchor=$2 code
    code=$(cat)
    [ "$(grep -cxF "$anchor" "$file")" = 1 ] || { echo "the line '$anchor' is not in $file once"; return 1; }
    awk -v anchor="$anchor" -v code="$code" '$0 == anchor { print code } { print }' "$file" > "$file.new" &&
        mv "$file.new" "$file"
}

cp stripe_connect.h $curl $library "$planted/" && cp adapters/*.h "$planted/adapters/" &&
plant "$planted/stripe_connect.h" "#endif /* STRIPE_CONNECT_IMPLEMENTATION_INCLUDED */" <<'EOF' &&
/* PLANTED by tests/check.d/analysis.sh: bugs the analysers must report. */
STRIPE_CONNECT_API int stripe_connect_planted(const char *text, size_t n);
STRIPE_CONNECT_API int stripe_connect_planted(const char *text, size_t n)
{
    const char *none = NULL;
    int first;
    if (n > 0) first = (unsigned char)text[0];
    if (n == 7) return none[0];   /* PLANTED-NULL */
    return first;                 /* PLANTED-UNINIT */
}
EOF
plant "$planted/adapters/stripe_connect_curl.h" "#endif /* STRIPE_CONNECT_CURL_IMPLEMENTATION_INCLUDED */" <<'EOF'
/* PLANTED by tests/check.d/analysis.sh: a leak the analysers must report. */
#include <stdlib.h>
STRIPE_CONNECT_CURL_API size_t stripe_connect_curl_planted(const char *text);
STRIPE_CONNECT_CURL_API size_t stripe_connect_curl_planted(const char *text)
{
    size_t n = strlen(text);
    char *copy = (char *)malloc(n + 1);
    if (copy == NULL) return 0;
    memcpy(copy, text, n + 1);
    n = strlen(copy);             /* PLANTED-LEAK */
    return n;
}
EOF
plant_status=$?

# expect_report MARK... -- ANALYSER ARGS...: the analyser must fail, naming the line of each MARK
# (or, for the leak, the line after it, where cppcheck reports it).
expect_report() {
    local marks=() mark line file output status
    while [ "$1" != "--" ]; do marks+=("$1"); shift; done
    shift
    [ "$plant_status" = 0 ] || { echo "the bugs could not be planted"; return 1; }
    output=$("$@" 2>&1)
    status=$?
    echo "$output"
    echo "--- exit status $status"
    [ "$status" -ne 0 ] || { echo "the analyser passed the planted code"; return 1; }
    for mark in "${marks[@]}"; do
        file=$planted/stripe_connect.h
        [ "$mark" = PLANTED-LEAK ] && file=$planted/adapters/stripe_connect_curl.h
        line=$(grep -n "$mark" "$file" | cut -d: -f1)
        if ! echo "$output" | grep -qE "$(basename "$file"):($line|$((line + 1))):"; then
            echo "not reported: $mark at $(basename "$file"):$line"
            return 1
        fi
        echo "reported: $mark at $(basename "$file"):$line"
    done
}

echo "== the gate can fail (bugs planted in copies under $planted/)"
p=$planted
add_case "scan-build reports the NULL dereference, uninitialised read and leak planted in copies" \
    expect_report PLANTED-NULL PLANTED-UNINIT PLANTED-LEAK -- \
    run_scan_build $p $p/analysis_library.c c99 "$p/scan-build" "''" headers
add_case "clang-tidy reports the NULL dereference, uninitialised read and leak planted in copies" \
    expect_report PLANTED-NULL PLANTED-UNINIT PLANTED-LEAK -- \
    run_clang_tidy $p $p/analysis_library.c c99 "''" "''" headers
add_case "gcc -fanalyzer reports the NULL dereference and leak planted in copies" \
    expect_report PLANTED-NULL PLANTED-LEAK -- run_gcc_analyzer $p $p/analysis_curl.c c99 "$p/gcc" "''"
add_case "cppcheck reports the NULL dereference, uninitialised read and leak planted in copies" \
    expect_report PLANTED-NULL PLANTED-UNINIT PLANTED-LEAK -- \
    run_cppcheck $p $p/analysis_curl.c c99 "'$CURL_DEFINES'" "''"
run_cases

finish
