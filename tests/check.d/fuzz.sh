#!/usr/bin/env bash
# tests/check.d/fuzz.sh - the fuzzing step of `make check` (tests/fuzz/README.md says more).
#
#   1. The committed corpus replayed: every harness tests/fuzz/fuzz_<target>.c linked with the
#      plain main() of tests/fuzz/replay.c by gcc -fsanitize=address,undefined, and run over
#      tests/fuzz/corpus/<target>/ (every seed, and every crash ever found): one case per
#      target, "ok   fuzz replay <target> (N inputs)".
#   2. Each target under libFuzzer (clang -fsanitize=fuzzer,address,undefined) for FUZZ_SECONDS
#      seconds (default 25), two targets at a time, from a working corpus in
#      build/check/fuzz/work/<target>/ (kept between runs; the JSON targets also get files of
#      ../shared/testdata/JSONTestSuite/test_parsing, copied in at run time and never
#      committed) plus the committed corpus: one case per target, "ok   fuzz <target> (S s,
#      N runs)". Any crash, invariant violation, leak, timeout or out-of-memory fails the case:
#      the input is copied to tests/fuzz/corpus/<target>/ under libFuzzer's name for it
#      (crash-<sha1>, leak-<sha1>, timeout-<sha1>, oom-<sha1>) and replayed by the gcc build,
#      whose report is shown; commit it with the fix so it is replayed from then on.
#
#   FUZZ_SECONDS=600 bash tests/check.d/fuzz.sh     longer runs (what `make fuzz` does)
#   FUZZ_SECONDS=0 ...                              the replay alone, no libFuzzer
#   FUZZ_TARGETS="token redirect" ...               only those targets
#   FUZZ_JOBS=1 ...                                 one fuzzer at a time
#
# The webhook target is built only when stripe_connect.h declares stripe_connect_webhook_verify;
# otherwise a note says so and it is not counted. Needs clang (libclang-rt-14-dev for libFuzzer
# and the sanitizers), gcc and libmbedtls-dev: installed with apt-get when run as root;
# otherwise the exact command is printed and the step fails. Outputs and logs go to
# build/check/fuzz/. Ends with "-- N passed, N failed".
set -u

cd "$(dirname "$0")/../.." || exit 1
out=build/check/fuzz
json_suite_dir=../shared/testdata/JSONTestSuite/test_parsing
FUZZ_SECONDS=${FUZZ_SECONDS:-25}
FUZZ_JOBS=${FUZZ_JOBS:-2}
ALL_TARGETS="token json_lookup redirect percent authorize_url http_reader webhook"
FUZZ_TARGETS=${FUZZ_TARGETS:-$ALL_TARGETS}
CLANG=${CLANG:-clang}
GCC=${GCC:-gcc}
WARNINGS="-Wall -Wextra -Werror"
MBEDTLS_LIBS="-lmbedtls -lmbedx509 -lmbedcrypto"

start=$SECONDS
passed=0 failed=0

case "$FUZZ_SECONDS" in ''|*[!0-9]*) echo "fuzz.sh: FUZZ_SECONDS must be a whole number of seconds" >&2; exit 2 ;; esac
case "$FUZZ_JOBS" in ''|*[!0-9]*|0) echo "fuzz.sh: FUZZ_JOBS must be a positive number" >&2; exit 2 ;; esac

# One run at a time in build/check/fuzz/ (a second one waits for the first), for they share it.
mkdir -p "$out" || exit 1
exec 9> "$out/.lock"
if ! flock -n 9; then
    echo "fuzz.sh: another run is using $out; waiting for it to end"
    flock 9
fi
rm -rf "$out/bin" "$out/logs" "$out/artifacts"
mkdir -p "$out/bin" "$out/logs" "$out/artifacts" "$out/work" || exit 1

# ---- Reporting ----------------------------------------------------------------------------------
# report NAME STATUS LOG: one case line; a failure shows what its log says went wrong (the
# sanitizer's or the harness's words, the first frames, what was kept), or else its end.
report() {
    local excerpt
    if [ "$2" = 0 ]; then
        printf 'ok   %s\n' "$1"
        passed=$((passed + 1))
    else
        printf 'FAIL %s\n' "$1"
        if [ -f "$3" ]; then
            excerpt=$(grep -a -E 'invariant violated|ERROR:|SUMMARY:|runtime error|^ +#[0-5] |Test unit written|^== kept as|^replay: .* bytes\)$|error:' "$3" |
                      grep -a -v -E '^replay: .* bytes\)$' | head -n 40)
            if [ -z "$excerpt" ]; then excerpt=$(tail -n 30 "$3"); fi
            printf '%s\n' "$excerpt" | sed 's/^/     | /'
            echo "     | (all of it: $3)"
        fi
        failed=$((failed + 1))
    fi
}

finish() {
    echo "-- $passed passed, $failed failed ($((SECONDS - start)) s)"
    [ "$failed" -eq 0 ]
    exit
}

# ---- Targets ------------------------------------------------------------------------------------
# max_len: inputs long enough for each target's limits (JSON depth and field sizes, URLs with
# every parameter, HTTP heads past 16 fields and 1 KiB).
max_len() {
    case $1 in
        percent) echo 1024 ;;
        redirect | authorize_url) echo 2048 ;;
        http_reader) echo 8192 ;;
        *) echo 4096 ;;
    esac
}
libs() {
    case $1 in
        http_reader) echo "$MBEDTLS_LIBS" ;;
        webhook) echo "-lmbedcrypto" ;;
    esac
}
dict() {
    case $1 in
        token | json_lookup) echo tests/fuzz/dict/json.dict ;;
        redirect) echo tests/fuzz/dict/redirect.dict ;;
        http_reader) echo tests/fuzz/dict/http.dict ;;
        webhook) echo tests/fuzz/dict/webhook.dict ;;
    esac
}

targets=""
for target in $FUZZ_TARGETS; do
    case " $ALL_TARGETS " in
        *" $target "*) ;;
        *) echo "fuzz.sh: unknown target '$target' (known: $ALL_TARGETS)" >&2; exit 2 ;;
    esac
    if [ "$target" = webhook ] && ! grep -q stripe_connect_webhook_verify stripe_connect.h; then
        echo "note fuzz webhook: not built - stripe_connect.h has no stripe_connect_webhook_verify yet (not counted)"
        continue
    fi
    targets="$targets $target"
done

# ---- Dependencies -------------------------------------------------------------------------------
# Each probe: a program that must compile and link.
probe_libfuzzer() {
    printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' |
        "$CLANG" -x c - -fsanitize=fuzzer,address,undefined -o "$out/bin/probe-libfuzzer" > /dev/null 2>&1
}
probe_gcc_sanitizers() {
    printf 'int main(void) { return 0; }\n' |
        "$GCC" -x c - -fsanitize=address,undefined -o "$out/bin/probe-gcc" > /dev/null 2>&1
}
probe_mbedtls() {
    printf '#include <mbedtls/ssl.h>\n#include <mbedtls/md.h>\nint main(void) { return mbedtls_md_info_from_type(MBEDTLS_MD_SHA256) == 0; }\n' |
        "$GCC" -x c - -o "$out/bin/probe-mbedtls" $MBEDTLS_LIBS > /dev/null 2>&1
}
missing_packages() {
    local packages=""
    command -v "$CLANG" > /dev/null 2>&1 || packages="$packages clang"
    probe_libfuzzer || packages="$packages libclang-rt-14-dev"
    command -v "$GCC" > /dev/null 2>&1 && probe_gcc_sanitizers || packages="$packages gcc"
    probe_mbedtls || packages="$packages libmbedtls-dev"
    echo $packages
}

packages=$(missing_packages)
if [ -n "$packages" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "fuzz.sh: missing:$packages; install them with:"
        echo "    sudo apt-get install -y $packages"
        report "fuzz dependencies ($packages)" 1 /dev/null
        finish
    fi
    echo "fuzz.sh: installing $packages (log in $out/logs/apt.log)"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y $packages > "$out/logs/apt.log" 2>&1; then
        DEBIAN_FRONTEND=noninteractive apt-get update >> "$out/logs/apt.log" 2>&1
        DEBIAN_FRONTEND=noninteractive apt-get install -y $packages >> "$out/logs/apt.log" 2>&1
    fi
    packages=$(missing_packages)
    if [ -n "$packages" ]; then
        report "fuzz dependencies (still missing:$packages)" 1 "$out/logs/apt.log"
        finish
    fi
fi

# ---- Builds, two at a time ------------------------------------------------------------------------
# build KIND TARGET: KIND replay (gcc, ASan+UBSan, with replay.c) or fuzz (clang, libFuzzer).
build() {
    local kind=$1 target=$2 source="tests/fuzz/fuzz_$2.c"
    if [ "$kind" = replay ]; then
        "$GCC" -std=gnu11 -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all \
            $WARNINGS -I. -Iadapters "$source" tests/fuzz/replay.c -o "$out/bin/replay_$target" $(libs "$target")
    else
        "$CLANG" -std=gnu11 -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
            -fno-sanitize-recover=all $WARNINGS -I. -Iadapters "$source" -o "$out/bin/fuzz_$target" $(libs "$target")
    fi
}

# build_all KIND: builds every target; leaves $out/logs/build-KIND-TARGET.status.
build_all() {
    local kind=$1 target running=0
    for target in $targets; do
        if [ "$running" -ge 2 ]; then wait -n; running=$((running - 1)); fi
        ( build "$kind" "$target" > "$out/logs/build-$kind-$target.log" 2>&1
          echo $? > "$out/logs/build-$kind-$target.status" ) &
        running=$((running + 1))
    done
    wait
}
built() { [ "$(cat "$out/logs/build-$1-$2.status" 2> /dev/null)" = 0 ]; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# ---- 1. The committed corpus, replayed ------------------------------------------------------------
build_all replay
for target in $targets; do
    log="$out/logs/replay-$target.log"
    if ! built replay "$target"; then
        report "fuzz replay $target (build failed)" 1 "$out/logs/build-replay-$target.log"
        continue
    fi
    # (The braces take bash's own "Aborted" line for a harness that aborts: the log has it all.)
    { timeout 600 "$out/bin/replay_$target" "tests/fuzz/corpus/$target" > "$log" 2>&1 < /dev/null; } 2> /dev/null
    rc=$?
    count=$(sed -n 's/^replayed \([0-9]*\) inputs$/\1/p' "$log" | tail -n 1)
    if [ -n "$count" ] && [ "$rc" = 0 ]; then
        report "fuzz replay $target ($count inputs)" 0 "$log"
    else
        last=$(sed -n 's/^replay: \(.*\) ([0-9]* bytes)$/\1/p' "$log" | tail -n 1)
        report "fuzz replay $target: failed${last:+ on $last} (exit status $rc)" 1 "$log"
    fi
done

# ---- 2. libFuzzer ------------------------------------------------------------------------------
# The working corpus of the JSON targets gets JSONTestSuite's files, in each target's input
# format: the token target's first byte is the HTTP status ('2': 200, '4': 400), the lookup
# target's is the output capacity, then a path line.
seed_json_suite() {
    local target=$1 work=$2 file name
    [ -d "$json_suite_dir" ] || return 0
    for file in "$json_suite_dir"/*.json; do
        name=$(basename "$file" .json)
        case "$target" in
            token)
                { printf '2'; cat "$file"; } > "$work/jsonsuite-200-$name"
                case "$name" in y_object*) { printf '4'; cat "$file"; } > "$work/jsonsuite-400-$name" ;; esac ;;
            json_lookup)
                { printf '\100id\n'; cat "$file"; } > "$work/jsonsuite-id-$name"
                case "$name" in y_array*) { printf '\1000\n'; cat "$file"; } > "$work/jsonsuite-0-$name" ;; esac ;;
        esac
    done
}

# fuzz_one TARGET: runs the fuzzer; leaves $out/logs/fuzz-TARGET.{log,status,seconds}.
fuzz_one() {
    local target=$1 work="$out/work/$1" artifacts="$out/artifacts/$1/" log="$out/logs/fuzz-$1.log" began=$SECONDS
    local dictionary rc
    mkdir -p "$work" "$artifacts"
    seed_json_suite "$target" "$work"
    dictionary=$(dict "$target")
    { timeout $((FUZZ_SECONDS + 300)) "$out/bin/fuzz_$target" \
        -max_total_time="$FUZZ_SECONDS" -max_len="$(max_len "$target")" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$artifacts" ${dictionary:+-dict="$dictionary"} \
        "$work" "tests/fuzz/corpus/$target" > "$log" 2>&1 < /dev/null; } 2> /dev/null
    rc=$?
    echo "$rc" > "$out/logs/fuzz-$target.status"
    echo $((SECONDS - began)) > "$out/logs/fuzz-$target.seconds"
}

if [ "$FUZZ_SECONDS" -eq 0 ]; then
    echo "note fuzz: FUZZ_SECONDS=0, the corpus replay alone (no libFuzzer runs)"
    finish
fi

# Fuzz targets whose fuzzer built, FUZZ_JOBS at a time.
build_all fuzz
running=0
for target in $targets; do
    built fuzz "$target" || continue
    if [ "$running" -ge "$FUZZ_JOBS" ]; then wait -n; running=$((running - 1)); fi
    fuzz_one "$target" &
    running=$((running + 1))
done
wait

# What a failed run found: into the committed corpus, then replayed by the gcc build for a
# report that names the input.
keep_findings() {
    local target=$1 log=$2 file name found=0
    for file in "$out/artifacts/$target"/*; do
        [ -f "$file" ] || continue
        name=$(basename "$file")
        case "$name" in
            crash-* | leak-* | timeout-* | oom-* | slow-unit-*) ;;
            *) name="crash-$(sha1sum "$file" | cut -c1-40)" ;;
        esac
        cp "$file" "tests/fuzz/corpus/$target/$name"
        found=$((found + 1))
        {
            echo "== kept as tests/fuzz/corpus/$target/$name; the gcc replay of it:"
            built replay "$target" && { timeout 120 "$out/bin/replay_$target" "$file" 2>&1; } 2> /dev/null
        } >> "$log"
    done
    echo "$found"
}

for target in $targets; do
    log="$out/logs/fuzz-$target.log"
    if ! built fuzz "$target"; then
        report "fuzz $target (libFuzzer build failed)" 1 "$out/logs/build-fuzz-$target.log"
        continue
    fi
    rc=$(cat "$out/logs/fuzz-$target.status" 2> /dev/null || echo 1)
    seconds=$(cat "$out/logs/fuzz-$target.seconds" 2> /dev/null || echo 0)
    runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\)$/\1/p' "$log" | tail -n 1)
    found=$(keep_findings "$target" "$log")
    if [ "$found" -gt 0 ]; then
        report "fuzz $target ($seconds s, ${runs:-?} runs): $found finding(s) kept in tests/fuzz/corpus/$target/" 1 "$log"
    elif [ -z "$runs" ]; then
        report "fuzz $target ($seconds s): no final statistics (exit status $rc)" 1 "$log"
    else
        report "fuzz $target ($seconds s, $runs runs)" "$rc" "$log"
    fi
done

finish
