#!/usr/bin/env bash
# tests/check.d/bench.sh - the benchmark guard of `make check`: the library's instruction counts
# held to bench/baseline.txt, and no heap allocation in the core. No timing of any kind: the
# counts are callgrind's, which are the same from run to run on the same build.
#
#   build      build/check/bench/bench from bench/*.c with gcc and exactly $FLAGS below, the
#              flags bench/baseline.txt was measured with (instruction counts depend on the
#              compiler and its flags; a compiler other than the baseline's is named in a note)
#   agree      `bench check`: cJSON, jsmn and libcurl give the library's results on the inputs
#              (so the published comparisons compare like with like); one case each
#   counts     for each guarded operation, instructions per operation under callgrind,
#              (I(2N) - I(N)) / N (bench/measure.py), compared with its line in
#              bench/baseline.txt: more than LIMIT_PERCENT (5) percent above fails; equal or
#              fewer passes (well below: a note to update the baseline)
#   heap       the same operations under memcheck: 0 heap allocations per operation
#
# Guarded are the deterministic in-process operations: token parsing (500 B and 4 KiB), the
# authorize URL, percent-encoding. The exchange is not (its count depends on how the kernel
# hands the answer over); make bench measures it.
#
#   bash tests/check.d/bench.sh                    the checks; ends with "-- N passed, N failed"
#   bash tests/check.d/bench.sh --update-baseline  measures, then rewrites bench/baseline.txt
#   BENCH_INCLUDE=DIR bash tests/check.d/bench.sh  builds against DIR/stripe_connect.h (say, a
#                                                  scratch copy with a planted slowdown)
#
# Installs valgrind, libcjson-dev, libjsmn-dev and libcurl4-openssl-dev when missing (as root;
# otherwise prints the command and fails). Outputs go to build/check/bench/. About a minute.
set -u

cd "$(dirname "$0")/../.." || exit 1
out=build/check/bench
CC_FIXED=gcc
FLAGS="-std=c99 -O2 -g"
LIMIT_PERCENT=5
BASELINE=bench/baseline.txt
# Operation and its N (2N is the other run).
GUARDED="parse_token_500/stripe_connect:1000 parse_token_4k/stripe_connect:200
authorize_url/stripe_connect:1000 percent_encode_1k/stripe_connect:500"
mode=check
case "${1:-}" in
    "") ;;
    --update-baseline) mode=update ;;
    *) echo "usage: bash tests/check.d/bench.sh [--update-baseline]" >&2; exit 2 ;;
esac

rm -rf "$out"
mkdir -p "$out" || exit 1
start=$SECONDS
passed=0 failed=0

report() {   # report PASSED(0/1 as a status) NAME [LOG]
    if [ "$1" -eq 0 ]; then
        echo "ok   $2"
        passed=$((passed + 1))
    else
        echo "FAIL $2"
        [ -n "${3:-}" ] && [ -s "$3" ] && sed -e 's/^/     | /' "$3" | tail -n 30
        failed=$((failed + 1))
    fi
}

finish() {
    echo "-- $passed passed, $failed failed ($((SECONDS - start)) s)"
    [ "$failed" -eq 0 ]
    exit
}

# ---- Build --------------------------------------------------------------------------------------
bash bench/deps.sh --no-gnuplot > "$out/deps.log" 2>&1
report $? "prerequisites: gcc, valgrind, python3, libcurl, cJSON and jsmn headers (bench/deps.sh)" "$out/deps.log"
[ "$failed" -eq 0 ] || finish

include=${BENCH_INCLUDE:-.}
sources="bench/main.c bench/ops_parse.c bench/ops_jsmn.c bench/ops_jsmn_strict.c bench/ops_url.c
         bench/ops_exchange.c bench/memory.c bench/library.c"
curl_cflags=$(pkg-config --cflags libcurl 2> /dev/null)
curl_libs=$(pkg-config --libs libcurl 2> /dev/null || echo -lcurl)
compiler="$CC_FIXED $("$CC_FIXED" -dumpfullversion 2> /dev/null)"
# shellcheck disable=SC2086
$CC_FIXED $FLAGS -Wall -Wextra -Werror -I"$include" -I. -Iadapters $curl_cflags -o "$out/bench" $sources \
    -lcjson $curl_libs -pthread > "$out/build.log" 2>&1
report $? "build $out/bench: $compiler $FLAGS$([ "$include" = . ] || echo " against $include/stripe_connect.h")" \
    "$out/build.log"
[ "$failed" -eq 0 ] || finish

baseline_compiler=$(sed -n 's/^# compiler: //p' "$BASELINE" 2> /dev/null)
baseline_flags=$(sed -n 's/^# flags: //p' "$BASELINE" 2> /dev/null)
if [ "$mode" = check ] && [ -n "$baseline_compiler" ] && [ "$baseline_compiler" != "$compiler" ]; then
    echo "     note: the baseline was measured with $baseline_compiler, this is $compiler: counts may differ for that alone"
fi
if [ "$mode" = check ] && [ -n "$baseline_flags" ] && [ "$baseline_flags" != "$FLAGS" ]; then
    echo "     note: the baseline's flags are '$baseline_flags', these are '$FLAGS'"
fi

# ---- The implementations agree ------------------------------------------------------------------
"./$out/bench" check > "$out/agree.log" 2>&1
status=$?
while IFS= read -r line; do
    case "$line" in
        "ok   "*) echo "$line"; passed=$((passed + 1)) ;;
        "FAIL "*) echo "$line"; failed=$((failed + 1)) ;;
    esac
done < "$out/agree.log"
if [ "$status" -ne 0 ] && ! grep -q '^FAIL ' "$out/agree.log"; then
    report 1 "bench check ran to its end (exit status $status)" "$out/agree.log"
fi

# ---- Counts and allocations, two measurements at a time ------------------------------------------
# measure KIND OP N: writes $out/KIND-<op>.txt ("OP VALUE") or its error to the .log beside it.
measure() {
    local kind=$1 op=$2 n=$3 file
    file="$out/$kind-$(echo "$op" | tr '/' '_')"
    if [ "$kind" = instructions ]; then
        BENCH_DATA=bench/data python3 bench/measure.py "$out/bench" "$op" "$n" > "$file.txt" 2> "$file.log"
    else
        BENCH_DATA=bench/data python3 bench/measure.py --allocations "$out/bench" "$op" "$n" > "$file.txt" 2> "$file.log"
    fi
}
running=0
for entry in $GUARDED; do
    for kind in instructions allocations; do
        n=${entry#*:}
        [ "$kind" = allocations ] && n=100
        measure "$kind" "${entry%%:*}" "$n" &
        running=$((running + 1))
        if [ "$running" -ge 2 ]; then wait -n; running=$((running - 1)); fi
    done
done
wait

value_of() {   # value_of KIND OP: the measured value, or "" when the measurement failed
    local file
    file="$out/$1-$(echo "$2" | tr '/' '_').txt"
    [ -s "$file" ] && awk '{ print $2 }' "$file"
}

if [ "$mode" = update ]; then
    {
        cat <<EOF
# bench/baseline.txt - the instructions one operation of the library takes under callgrind,
# (I(2N) - I(N)) / N, which make check holds it to (tests/check.d/bench.sh): a case fails when
# a count comes out more than $LIMIT_PERCENT% above its line here; equal or fewer passes.
#
# The counts hold for the compiler, flags and valgrind below; another compiler version or other
# flags give other counts (bench.sh builds with exactly these flags and names a compiler that
# differs from this one).
#
# Update it deliberately, never to make a failure go away unexplained: when the library does
# more work on purpose (or less, or the compiler changed), run
#     bash tests/check.d/bench.sh --update-baseline
# and commit the rewritten file together with the change, saying in the commit why the counts
# moved.
#
# compiler: $compiler
# flags: $FLAGS
# valgrind: $(valgrind --version 2> /dev/null | sed 's/^valgrind-//')
EOF
        for entry in $GUARDED; do
            op=${entry%%:*}
            value=$(value_of instructions "$op")
            [ -n "$value" ] || { echo "bench: no count for $op" >&2; exit 1; }
            echo "$op $value"
        done
    } > "$out/baseline.new" || { cat "$out"/*.log >&2; exit 1; }
    mv "$out/baseline.new" "$BASELINE"
    echo "bench: wrote $BASELINE:"
    grep -v '^#' "$BASELINE"
    exit 0
fi

for entry in $GUARDED; do
    op=${entry%%:*}
    log="$out/instructions-$(echo "$op" | tr '/' '_').log"
    value=$(value_of instructions "$op")
    base=$(awk -v op="$op" '$1 == op { print $2 }' "$BASELINE" 2> /dev/null)
    if [ -z "$value" ]; then
        report 1 "$op: instructions per operation (callgrind did not give a count)" "$log"
    elif [ -z "$base" ]; then
        report 1 "$op: $value instructions per operation, and no line for it in $BASELINE"
    else
        verdict=$(awk -v v="$value" -v b="$base" -v limit="$LIMIT_PERCENT" 'BEGIN {
            change = (v - b) * 100 / b
            printf "%s %+.1f%%", (change > limit ? "over" : (change < -limit ? "well-below" : "within")), change }')
        name="$op: $value instructions per operation, baseline $base (${verdict#* }; the limit is +$LIMIT_PERCENT%)"
        case "$verdict" in
            over*) report 1 "$name" ;;
            well-below*) report 0 "$name"
                         echo "     note: well below the baseline; if that is to stay, update it (--update-baseline)" ;;
            *) report 0 "$name" ;;
        esac
    fi
done

for entry in $GUARDED; do
    op=${entry%%:*}
    value=$(value_of allocations "$op")
    log="$out/allocations-$(echo "$op" | tr '/' '_').log"
    if [ -z "$value" ]; then
        report 1 "$op: heap allocations per operation (memcheck did not give a count)" "$log"
    else
        [ "$value" = 0 ]
        report $? "$op: $value heap allocations per operation (memcheck; the core allocates nothing)"
    fi
done

finish
