#!/usr/bin/env bash
# tests/check.d/memcheck.sh - the memory checks of `make check`: valgrind memcheck with
# --leak-check=full, every leak kind an error (definite, indirect, possible, still reachable),
# --track-origins=yes and --error-exitcode, one case per program run:
#
#   the unit suite    tests/unit/ built exactly as the Makefile builds build/unit_tests (its
#                     UNIT_SOURCES, UNIT_CFLAGS and CPPFLAGS, asked of make itself), and again
#                     at gcc -O2, where the optimiser may read what -O1 does not; the run must
#                     print "unit: N passed, 0 failed" with no memcheck error and no leak
#   curl adapter      tests/integration/test_curl_adapter.c (built as the Makefile builds
#                     build/test_curl_adapter) against a fresh stand-in started by
#                     tests/integration/with_stand_in.py: "curl adapter: N passed, 0 failed"
#
# What `make test` already runs under valgrind is not run twice: tests/run.sh runs the mbedTLS
# adapter's HTTP reader tests (build/unit_http/http_reader_tests) and its integration tests
# (build/test_mbedtls_adapter, against its own stand-in), and tests/integration/test_tool.py the
# command-line tool over both transports. This script checks that tests/run.sh still does; if
# it no longer does, it runs those two here itself, so no program drops out of the gate.
#
# Needs what `make test` needs (tests/deps.sh installs it: valgrind, openssl, libcurl and
# mbedTLS headers, python3). Outputs go to build/check/memcheck/.
set -u

cd "$(dirname "$0")/../.." || exit 1
root=$PWD
out=build/check/memcheck
json_suite_dir="$root/../shared/testdata/JSONTestSuite/test_parsing"
VALGRIND_OPTIONS="-q --error-exitcode=99 --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all"
VALGRIND_OPTIONS+=" --track-origins=yes --num-callers=30"
RUN_TIMEOUT=${RUN_TIMEOUT:-900}
export PYTHONDONTWRITEBYTECODE=1

rm -rf "$out"
mkdir -p "$out" || exit 1
start=$SECONDS
passed=0 failed=0
STEP=memcheck
. tests/check.d/common.sh   # case lines, the summary line, install_missing

# makevar NAME: a variable of the Makefile, as make itself expands it.
makevar() {
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -s \
        --eval 'memcheck-print-%: ; @echo $($*)' "memcheck-print-$1"
}

# ---- The programs -------------------------------------------------------------------------------
build_unit() {   # build_unit NAME EXTRA_FLAGS...: tests/unit/ as build/unit_tests is built, then EXTRA_FLAGS
    local name=$1
    shift
    ${CC:-cc} $(makevar UNIT_CFLAGS) "$@" $(makevar CPPFLAGS) $(makevar UNIT_SOURCES) -o "$out/$name"
}

build_curl() {
    ${CC:-cc} $(makevar UNIT_CFLAGS) $(makevar CPPFLAGS) -Iadapters $(makevar CURL_CFLAGS) \
        -o "$out/test_curl_adapter" $(makevar CURL_TEST_SOURCES) $(makevar CURL_LIBS)
}

build_http_reader() {
    ${CC:-cc} $(makevar UNIT_CFLAGS) $(makevar CPPFLAGS) -Iadapters -o "$out/http_reader_tests" \
        $(makevar HTTP_READER_SOURCES) $(makevar MBEDTLS_LIBS)
}

build_mbedtls() {
    ${CC:-cc} $(makevar UNIT_CFLAGS) $(makevar CPPFLAGS) -Iadapters -o "$out/test_mbedtls_adapter" \
        $(makevar MBEDTLS_TEST_SOURCES) $(makevar MBEDTLS_LIBS)
}

# ---- Running under valgrind ---------------------------------------------------------------------
# memcheck LABEL PREFIX COMMAND...: COMMAND's program under valgrind (COMMAND may start with
# tests/integration/with_stand_in.py, which puts valgrind around the rest). Passes when valgrind
# found nothing (no error, no leak of any kind), the program exited 0, and its output ends with
# "PREFIX: N passed, 0 failed".
memcheck() {
    local label=$1 prefix=$2 log vlog rc line
    shift 2
    log="$out/$label.log" vlog="$out/$label.valgrind.log"
    timeout "$RUN_TIMEOUT" "$@" > "$log" 2>&1 < /dev/null
    rc=$?
    line=$(grep -E "^$prefix: [0-9]+ passed, [0-9]+ failed\$" "$log" | tail -n 1)
    echo "exit status $rc; ${line:-no summary line}; valgrind's log: $vlog"
    [ -s "$vlog" ] && { echo "--- valgrind:"; tail -n 80 "$vlog"; }
    if [ "$rc" -ne 0 ] || [ -z "$line" ]; then
        echo "--- the program's output ($log):"; tail -n 40 "$log"
    fi
    case "$rc" in
        0) ;;
        99) echo "valgrind found errors or leaks"; return 1 ;;
        124) echo "ran past $RUN_TIMEOUT s"; return 1 ;;
        *) echo "the program failed (exit status $rc)"; return 1 ;;
    esac
    [ -n "$line" ] || { echo "no '$prefix: N passed, N failed' line"; return 1; }
    echo "$line" | grep -q -E ' 0 failed$' || return 1
    [ ! -s "$vlog" ] || { echo "valgrind reported something"; return 1; }
    note "$(echo "$line" | sed -E "s/^$prefix: ([0-9]+) passed.*/\1 cases/")"
}

# unit_case NAME: the unit suite $out/NAME under valgrind.
unit_case() {
    memcheck "$1" unit valgrind $VALGRIND_OPTIONS --log-file="$out/$1.valgrind.log" \
        "./$out/$1" "$json_suite_dir"
}

# stand_in_case LABEL PREFIX PROGRAM: PROGRAM under valgrind against a fresh stand-in; the
# stand-in's directory is moved from build/integration/ to $out/LABEL.stand-in/ afterwards.
stand_in_case() {
    local label=$1 prefix=$2 program=$3 rc dir
    memcheck "$label" "$prefix" \
        python3 tests/integration/with_stand_in.py --timeout "$((RUN_TIMEOUT - 30))" \
        valgrind $VALGRIND_OPTIONS --log-file="$out/$label.valgrind.log" "./$out/$program"
    rc=$?
    dir=$(sed -n 's/^with_stand_in: the stand-in.s log and certificates are in //p' "$out/$label.log" | tail -n 1)
    [ -n "$dir" ] && [ -d "$dir" ] && mv "$dir" "$out/$label.stand-in" 2> /dev/null
    return "$rc"
}

# ---- The cases ----------------------------------------------------------------------------------
echo "== memcheck (valgrind --leak-check=full, every leak kind an error, --track-origins=yes)"
if ! bash tests/deps.sh > "$out/deps.log" 2>&1 < /dev/null; then
    case_result "the tools (tests/deps.sh: valgrind, openssl, libcurl, mbedTLS, python3)" 1 "$out/deps.log"
    finish
fi
[ -d "$json_suite_dir" ] || echo "   note: $json_suite_dir is missing; the unit suite runs without JSONTestSuite"

run_case "build: the unit suite as the Makefile builds build/unit_tests" build_unit unit_tests
run_case "build: the unit suite with gcc -O2" build_unit unit_tests_O2 -O2
run_case "build: tests/integration/test_curl_adapter.c as the Makefile builds it" build_curl

[ -x "$out/unit_tests" ] && run_case "the unit suite under valgrind: no error, no leak" unit_case unit_tests
[ -x "$out/unit_tests_O2" ] && run_case "the unit suite (gcc -O2) under valgrind: no error, no leak" unit_case unit_tests_O2
[ -x "$out/test_curl_adapter" ] &&
    run_case "curl adapter's integration tests under valgrind, against a fresh stand-in: no error, no leak" \
        stand_in_case curl_adapter "curl adapter" test_curl_adapter

# What make test runs under valgrind is not run twice; what it stopped running is run here.
if grep -v '^[[:space:]]*#' tests/run.sh | grep -q -E 'valgrind.*http_reader_tests'; then
    echo "   the HTTP reader's tests under valgrind: run by make test (tests/run.sh), not here"
else
    run_case "build: the HTTP reader's tests" build_http_reader &&
        run_case "the HTTP reader's tests under valgrind: no error, no leak" \
            memcheck http_reader "http reader" valgrind $VALGRIND_OPTIONS \
                --log-file="$out/http_reader.valgrind.log" "./$out/http_reader_tests"
fi
if grep -v '^[[:space:]]*#' tests/run.sh | grep -q -E 'valgrind.*test_mbedtls_adapter'; then
    echo "   the mbedTLS adapter's integration tests under valgrind: run by make test (tests/run.sh), not here"
else
    run_case "build: tests/integration/test_mbedtls_adapter.c" build_mbedtls &&
        run_case "mbedTLS adapter's integration tests under valgrind, against a fresh stand-in: no error, no leak" \
            stand_in_case mbedtls_adapter "mbedtls adapter" test_mbedtls_adapter
fi
echo "   the command-line tool under valgrind (both transports): run by make test (tests/integration/test_tool.py)"

finish
