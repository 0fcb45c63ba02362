#!/usr/bin/env bash
# tests/check.sh - the quality gate, `make check`: runs every step script in tests/check.d/,
# one after another (they install packages with apt-get, and each keeps both cores busy),
# the cheap ones first:
#
#   footprint.sh    code size for Cortex-M4, stack frames, no heap, a freestanding build
#   memcheck.sh     the unit suite and the curl adapter's tests under valgrind memcheck
#   bench.sh        instruction counts (callgrind) held to bench/baseline.txt
#   coverage.sh     gcc --coverage and gcovr over stripe_connect.h: the line and branch gates
#   analysis.sh     cppcheck, clang-tidy, gcc -fanalyzer, scan-build: zero findings
#   portability.sh  the unit tests on i686, powerpc, s390x (qemu-user) and Cortex-M4 (qemu-system)
#   e2e.sh          the web example in headless Chromium (a large apt install the first time)
#   fuzz.sh         the corpus replayed, then each libFuzzer target for a bounded time
#
# and then any other tests/check.d/*.sh but common.sh (what the steps share), in name order. A step that is not there is skipped
# (and named as such). Each step's output is shown as it runs, and each prints its own case
# lines ("ok   NAME" / "FAIL NAME") and ends with "-- N passed, N failed"; this script adds
# those up. A step that ends without that line, or exits non-zero with nothing counted as
# failed, is one failed case. A step that runs past CHECK_STEP_TIMEOUT seconds (default 900)
# is stopped, with everything it started.
#
#   CHECK_STEPS="footprint memcheck" bash tests/check.sh     only those steps, in that order
#
# The last line is the grand total, "N passed, N failed"; the exit status is 1 when any case
# failed. Logs go to build/check/logs/.
set -u

cd "$(dirname "$0")/.." || exit 1
logs=build/check/logs
STEP_TIMEOUT=${CHECK_STEP_TIMEOUT:-900}
ORDER="footprint memcheck bench coverage analysis portability e2e fuzz"

rm -rf "$logs"
mkdir -p "$logs" || exit 1
# Each step makes its own sub-makes; the make that ran us must not hand them its job server.
unset MAKEFLAGS MFLAGS MAKELEVEL

if [ -n "${CHECK_STEPS:-}" ]; then
    steps=$CHECK_STEPS
else
    steps=$ORDER
    for script in tests/check.d/*.sh; do
        [ -e "$script" ] || continue
        name=$(basename "$script" .sh)
        [ "$name" = common ] && continue          # sourced by the steps, not a step
        case " $ORDER " in *" $name "*) ;; *) steps="$steps $name" ;; esac
    done
fi

passed=0 failed=0 start=$SECONDS
summary=()

# run_step NAME: runs tests/check.d/NAME.sh, shows its output, adds its counts.
run_step() {
    local name=$1 script="tests/check.d/$1.sh" log="$logs/$1.log" rc line p f step_start=$SECONDS result
    if [ ! -f "$script" ]; then
        echo "== $name: $script is not there; skipped"
        summary+=("$(printf '%-12s skipped (no %s)' "$name" "$script")")
        return
    fi
    echo "== step $name ($script)"
    # timeout runs the step in a process group of its own and stops all of it. The output goes
    # to a file that tail follows until the step ends, so a process the step left behind holding
    # its output open cannot keep this script waiting (as a pipe would).
    : > "$log"
    timeout --kill-after=30 "$STEP_TIMEOUT" bash "$script" < /dev/null > "$log" 2>&1 &
    local pid=$!
    tail -n +1 -f --pid="$pid" "$log"
    wait "$pid"
    rc=$?
    line=$(grep -E '^-- [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    if [ -z "$line" ]; then
        p=0 f=1
        if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
            echo "FAIL step $name: stopped after $STEP_TIMEOUT s, without its summary line"
        else
            echo "FAIL step $name: ended without its '-- N passed, N failed' line (exit status $rc)"
        fi
    else
        p=$(echo "$line" | sed -E 's/^-- ([0-9]+) passed, ([0-9]+) failed.*$/\1/')
        f=$(echo "$line" | sed -E 's/^-- ([0-9]+) passed, ([0-9]+) failed.*$/\2/')
        if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
            echo "FAIL step $name: exit status $rc after its summary line"
            f=1
        fi
    fi
    passed=$((passed + p)) failed=$((failed + f))
    result=$(printf '%-12s %4d passed, %3d failed  (%d s)' "$name" "$p" "$f" "$((SECONDS - step_start))")
    summary+=("$result")
}

for step in $steps; do
    run_step "$step"
done

echo "== make check: $((SECONDS - start)) s"
for result in "${summary[@]}"; do
    echo "   $result"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
