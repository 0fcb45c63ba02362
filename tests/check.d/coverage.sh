#!/usr/bin/env bash
# tests/check.d/coverage.sh - the coverage step of `make check`: a gate, not a report.
#
#   bash tests/check.d/coverage.sh        (from the repository's root, or from anywhere)
#
# THE GATE. The unit tests (tests/unit/, every suite main.c registers) are built with gcc
# --coverage -O0 and run; gcovr then measures stripe_connect.h alone and fails the step below
# 100% of its lines or 95% of its branches (gcc counts both sides of every && and ||, so a
# branch is a decision a test must have taken both ways). Nothing is excluded: no GCOVR_EXCL
# marker, no --exclude flag. What stays uncovered is listed in build/check/coverage/
# core-branches.txt and read out below when the gate fails.
#   When this was written, every line ran and the branches never taken were defensive ones no
#   caller can reach: an indexed pair ("[i]=") is never the first of its query or body; a base
#   URL is never empty (checked before use); a decoded text field never has size 0; 32 random
#   bytes always leave 4 bits for a last base64url digit; the JSON scanner is never asked for a
#   value at the end of its input, nor for a token after an error or after the end; every public
#   caller has checked the client for NULL before scn_client_can_call; a path segment is never
#   empty (the path is checked first); an API request has at most 7 of its 8 header slots (the
#   STRIPE_CONNECT_ASSERT); and SHA-256's bit count carries into its high word only after 512 MiB.
#
# THE ADAPTERS' FIGURES (reported, not gated). adapters/stripe_connect_curl.h and
# adapters/stripe_connect_mbedtls.h measured from their own tests built with --coverage: the
# mbedTLS HTTP reader's unit tests (tests/unit_http/) and the two adapter tests against a local
# Stripe stand-in (tests/integration/test_{curl,mbedtls}_adapter.c, both at once against one
# stand-in, stopped by its PID on every path). The command-line tool's driver
# (tests/integration/test_tool.py) is not run here: it takes minutes, this step has two.
# These lines start with "info" and are not counted.
#
# OUTPUT. One line per case, "ok   NAME" or "FAIL NAME" (then what went wrong), "info ..."
# lines, and last "-- N passed, N failed"; the exit status is 1 when any case failed.
# Everything it writes goes to build/check/coverage/ (emptied first):
#   core-lines.txt, core-branches.txt   gcovr's text reports for stripe_connect.h
#   html/index.html                     gcovr's HTML report, line by line with branch counts
#   core-summary.json, core.json        the figures, and the raw data (gcovr -a can reread it)
#   adapters-*.txt, adapters-html/      the same for the adapters
#   logs/                               every build, run and gcovr log
# Needs gcc (with gcov), python3 and gcovr (installed with apt-get when missing, as root); the
# adapters' part also libcurl4-openssl-dev, libmbedtls-dev and openssl (tests/deps.sh installs
# them for make test), and is skipped with an "info" line without them.
set -u

cd "$(dirname "$0")/../.." || exit 1
root=$PWD
out=build/check/coverage
logs=$out/logs
json_suite_dir="$root/../shared/testdata/JSONTestSuite/test_parsing"
LINE_MIN=100
BRANCH_MIN=95
CFLAGS_COVERAGE="-std=c99 -O0 -g --coverage -Wall -Wextra"

passed=0 failed=0
ok()   { printf 'ok   %s\n' "$1"; passed=$((passed + 1)); }
fail() { printf 'FAIL %s\n' "$1"; failed=$((failed + 1)); }
info() { printf 'info %s\n' "$*"; }
# show LOG [LINES]: the end of a log, indented, after a FAIL line.
show() { tail -n "${2:-20}" "$1" 2> /dev/null | sed 's/^/    /'; }
finish() { echo "-- $passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }

# ---- Tools ------------------------------------------------------------------------------------
install_packages() {   # install_packages PACKAGE...: 0 when they are (now) installed
    if [ "$(id -u)" -ne 0 ]; then
        echo "coverage: missing packages; install them with:"
        echo "    sudo apt-get install -y $*"
        return 1
    fi
    mkdir -p "$logs"
    if ! apt-get install -y --no-install-recommends "$@" > "$logs/apt-get.log" 2>&1; then
        apt-get update > "$logs/apt-get-update.log" 2>&1
        apt-get install -y --no-install-recommends "$@" >> "$logs/apt-get.log" 2>&1 || {
            echo "coverage: apt-get install $* failed:"; show "$logs/apt-get.log"; return 1; }
    fi
}

rm -rf "$out"
mkdir -p "$logs" || exit 1

missing=""
command -v gcc > /dev/null 2>&1 || missing="$missing gcc"
command -v python3 > /dev/null 2>&1 || missing="$missing python3"
command -v gcovr > /dev/null 2>&1 || missing="$missing gcovr"
if [ -n "$missing" ] && ! install_packages $missing; then
    fail "coverage: the tools are here (gcc, gcov, python3, gcovr)"
    finish
fi
gcov_tool=gcov
command -v "gcov-$(gcc -dumpversion | cut -d. -f1)" > /dev/null 2>&1 && gcov_tool="gcov-$(gcc -dumpversion | cut -d. -f1)"
info "$(gcc --version | head -n 1); $(gcovr --version | head -n 1); gcov: $gcov_tool"

# figures SUMMARY_JSON KIND: "<percent> <covered> <total>" for lines or branches, the percent
# truncated to one decimal the way gcovr's --fail-under does (99.96% is 99.9%, not 100.0%).
figures() {
    python3 - "$1" "$2" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
covered, total = data[sys.argv[2] + "_covered"], data[sys.argv[2] + "_total"]
tenths = 1000 if covered == total else (1000 * covered) // total if total else 0
print(f"{tenths // 10}.{tenths % 10} {covered} {total}")
PY
}

# ---- The unit tests with --coverage -----------------------------------------------------------
unit=$out/unit
mkdir -p "$unit" "$out/html"
sources=$(ls tests/unit/main.c tests/unit/test.c tests/unit/test_*.c)
# one object per source, two at a time
if printf '%s\n' $sources | xargs -P 2 -I{} sh -c \
       'gcc '"$CFLAGS_COVERAGE"' -I. -c "$1" -o "'"$unit"'/$(basename "$1" .c).o"' sh {} \
       > "$logs/unit-build.log" 2>&1 &&
   gcc --coverage -o "$unit/unit_tests" "$unit"/*.o >> "$logs/unit-build.log" 2>&1; then
    ok "coverage: the unit tests build with gcc --coverage -O0 ($(echo $sources | wc -w) sources)"
else
    fail "coverage: the unit tests build with gcc --coverage -O0"
    show "$logs/unit-build.log"
    finish
fi

(cd "$unit" && timeout 300 ./unit_tests "$json_suite_dir") > "$logs/unit-run.log" 2>&1
rc=$?
summary=$(grep -E '^unit: [0-9]+ passed, [0-9]+ failed$' "$logs/unit-run.log" | tail -n 1)
if [ "$rc" -eq 0 ] && [ -n "$summary" ]; then
    ok "coverage: the unit tests pass in the coverage build ($summary)"
else
    fail "coverage: the unit tests pass in the coverage build (exit status $rc; ${summary:-no summary line})"
    grep -A 3 '^FAIL' "$logs/unit-run.log" | head -n 40 | sed 's/^/    /'
    show "$logs/unit-run.log" 5
fi

# ---- The gate: stripe_connect.h ----------------------------------------------------------------
# The filter is relative to --root, so it names the core header alone (not adapters/*.h).
gcovr --root "$root" --object-directory "$unit" --gcov-executable "$gcov_tool" \
      --filter '^stripe_connect\.h$' \
      --json "$out/core.json" --json-summary "$out/core-summary.json" --txt "$out/core-lines.txt" \
      --html-details "$out/html/index.html" --html-title "stripe_connect.h: coverage by the unit tests" \
      --fail-under-line "$LINE_MIN" --fail-under-branch "$BRANCH_MIN" > "$logs/gcovr-core.log" 2>&1
gate=$?
gcovr --add-tracefile "$out/core.json" --branches --txt "$out/core-branches.txt" \
      > "$logs/gcovr-core-branches.log" 2>&1

# gcovr's exit status: 0, or 2 (lines), 4 (branches), 6 (both) below the minimum; anything else
# is gcovr itself failing.
case $gate in 0|2|4|6) measured=1 ;; *) measured=0 ;; esac
if [ "$measured" -eq 0 ] || [ ! -s "$out/core-summary.json" ]; then
    fail "coverage: gcovr measures stripe_connect.h (exit status $gate)"
    show "$logs/gcovr-core.log"
    finish
fi
read -r line_pct line_cov line_all <<< "$(figures "$out/core-summary.json" line)"
read -r branch_pct branch_cov branch_all <<< "$(figures "$out/core-summary.json" branch)"

name="coverage stripe_connect.h lines $line_pct% (>= $LINE_MIN): $line_cov of $line_all"
if [ $((gate & 2)) -eq 0 ] && [ "$line_all" -gt 0 ]; then
    ok "$name"
else
    fail "$name"
    echo "    lines never run (see $out/core-lines.txt, $out/html/index.html):"
    awk '$1 ~ /stripe_connect\.h$/ { $1 = $2 = $3 = $4 = ""; print "     " $0 }' "$out/core-lines.txt"
fi
name="coverage stripe_connect.h branches $branch_pct% (>= $BRANCH_MIN): $branch_cov of $branch_all"
if [ $((gate & 4)) -eq 0 ] && [ "$branch_all" -gt 0 ]; then
    ok "$name"
else
    fail "$name"
    echo "    lines with a branch never taken (see $out/core-branches.txt, $out/html/index.html):"
    awk '$1 ~ /stripe_connect\.h$/ { $1 = $2 = $3 = $4 = ""; print "     " $0 }' "$out/core-branches.txt"
fi
if [ $((gate & 4)) -eq 0 ] && [ "$branch_cov" -lt "$branch_all" ]; then
    info "stripe_connect.h: lines with a branch never taken: $(awk '$1 ~ /stripe_connect\.h$/ { print $5 }' "$out/core-branches.txt")"
fi

# ---- The adapters' figures (information only) --------------------------------------------------
adapters=$out/adapters
stand_in_pid=""
stand_in_stop() {
    local i
    [ -n "$stand_in_pid" ] || return 0
    kill "$stand_in_pid" 2> /dev/null
    for ((i = 0; i < 50; i++)); do
        kill -0 "$stand_in_pid" 2> /dev/null || break
        sleep 0.1
    done
    kill -9 "$stand_in_pid" 2> /dev/null
    wait "$stand_in_pid" 2> /dev/null
    stand_in_pid=""
}
trap 'stand_in_stop; exit 130' INT TERM

stand_in_start() {
    local i
    bash tests/integration/make_certs.sh "$adapters/certs" > "$logs/make_certs.log" 2>&1 || return 1
    : > "$adapters/stand_in.log"
    python3 tests/integration/stand_in.py --cert-dir "$adapters/certs" --state-file "$adapters/stand_in.json" \
        --log "$adapters/stand_in.log" --exit-with-parent > "$logs/stand_in.output" 2>&1 < /dev/null &
    stand_in_pid=$!
    for ((i = 0; i < 150; i++)); do
        [ -s "$adapters/stand_in.json" ] && return 0
        kill -0 "$stand_in_pid" 2> /dev/null || return 1
        sleep 0.1
    done
    return 1
}

# build_adapter_test NAME SOURCE LIBS...: $adapters/NAME/NAME from SOURCE and the harness.
build_adapter_test() {
    local name=$1 source=$2 dir=$adapters/$1
    shift 2
    mkdir -p "$dir" &&
    gcc $CFLAGS_COVERAGE -I. -Iadapters -c "$source" -o "$dir/$name.o" &&
    gcc $CFLAGS_COVERAGE -I. -c tests/unit/test.c -o "$dir/test.o" &&
    gcc --coverage -o "$dir/$name" "$dir/$name.o" "$dir/test.o" "$@"
}

# run_adapter_test NAME: runs it (5 minutes at most) and prints its summary as information.
run_adapter_test() {
    local name=$1 line
    (cd "$adapters/$name" && timeout 300 "./$name") > "$logs/$name.log" 2>&1 < /dev/null
    line=$(tail -n 1 "$logs/$name.log")
    info "$name (coverage build): ${line:-no output} (log: $logs/$name.log)"
}

# adapter_figures HEADER: its line and branch figures from every adapter object.
adapter_figures() {
    local header=$1 base
    base=$(basename "$header" .h)
    gcovr --root "$root" --object-directory "$adapters" --gcov-executable "$gcov_tool" \
          --filter "^adapters/$base\\.h\$" --json-summary "$out/adapters-$base-summary.json" \
          --txt "$out/adapters-$base-lines.txt" --html-details "$out/adapters-html/$base.html" \
          > "$logs/gcovr-$base.log" 2>&1 &&
    gcovr --root "$root" --object-directory "$adapters" --gcov-executable "$gcov_tool" \
          --filter "^adapters/$base\\.h\$" --branches --txt "$out/adapters-$base-branches.txt" \
          >> "$logs/gcovr-$base.log" 2>&1 || { info "$header: gcovr failed (see $logs/gcovr-$base.log)"; return; }
    read -r line_pct line_cov line_all <<< "$(figures "$out/adapters-$base-summary.json" line)"
    read -r branch_pct branch_cov branch_all <<< "$(figures "$out/adapters-$base-summary.json" branch)"
    info "coverage $header lines $line_pct% ($line_cov of $line_all), branches $branch_pct%" \
         "($branch_cov of $branch_all) - reported, not gated"
}

mbedtls_libs="-lmbedtls -lmbedx509 -lmbedcrypto"
curl_libs=$(pkg-config --libs libcurl 2> /dev/null || echo -lcurl)
adapter_deps_missing=""
pkg-config --exists libcurl 2> /dev/null || adapter_deps_missing="$adapter_deps_missing libcurl4-openssl-dev"
[ -f /usr/include/mbedtls/ssl.h ] || adapter_deps_missing="$adapter_deps_missing libmbedtls-dev"
command -v openssl > /dev/null 2>&1 || adapter_deps_missing="$adapter_deps_missing openssl"
if [ -n "$adapter_deps_missing" ] && ! install_packages $adapter_deps_missing > "$logs/adapter-deps.log" 2>&1; then
    info "adapters: not measured, missing$adapter_deps_missing (see $logs/adapter-deps.log)"
else
    mkdir -p "$adapters" "$out/adapters-html"
    built=""
    build_adapter_test http_reader_tests tests/unit_http/test_http_reader.c $mbedtls_libs \
        > "$logs/build-http_reader_tests.log" 2>&1 && built="$built http_reader_tests"
    build_adapter_test test_curl_adapter tests/integration/test_curl_adapter.c $curl_libs \
        > "$logs/build-test_curl_adapter.log" 2>&1 && built="$built test_curl_adapter"
    build_adapter_test test_mbedtls_adapter tests/integration/test_mbedtls_adapter.c $mbedtls_libs \
        > "$logs/build-test_mbedtls_adapter.log" 2>&1 && built="$built test_mbedtls_adapter"
    for name in http_reader_tests test_curl_adapter test_mbedtls_adapter; do
        case " $built " in *" $name "*) ;; *) info "$name: does not build (see $logs/build-$name.log)" ;; esac
    done
    case " $built " in *" http_reader_tests "*) run_adapter_test http_reader_tests ;; esac
    if stand_in_start; then
        export STAND_IN_STATE="$root/$adapters/stand_in.json" STAND_IN_CERTS="$root/$adapters/certs" \
               STAND_IN_LOG="$root/$adapters/stand_in.log"
        # The stand-in serves several runs at once: both adapters' tests side by side.
        runs=""
        for name in test_curl_adapter test_mbedtls_adapter; do
            case " $built " in *" $name "*) run_adapter_test "$name" > "$logs/$name.summary" & runs="$runs $!" ;; esac
        done
        [ -z "$runs" ] || wait $runs
        cat "$logs/test_curl_adapter.summary" "$logs/test_mbedtls_adapter.summary" 2> /dev/null
        unset STAND_IN_STATE STAND_IN_CERTS STAND_IN_LOG
    else
        info "adapters: the stand-in did not start (see $logs/make_certs.log, $logs/stand_in.output);" \
             "figures from the HTTP reader's tests alone"
    fi
    stand_in_stop
    adapter_figures adapters/stripe_connect_curl.h
    adapter_figures adapters/stripe_connect_mbedtls.h
fi
trap - INT TERM

finish
