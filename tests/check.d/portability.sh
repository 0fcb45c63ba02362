#!/usr/bin/env bash
# tests/check.d/portability.sh - the unit tests (tests/unit/*.c, JSONTestSuite included) built
# for other machines than the host and run there; one case per machine, whose line shows the
# unit cases it ran ("unit: N passed, N failed"). A case passes when the program built, exited
# with status 0 within the timeout, and printed its summary with 0 failed.
#
#   i686        32-bit little-endian: i686-linux-gnu-gcc -O2 -static, run natively (under
#               qemu-i386-static only when this kernel cannot run 32-bit programs)
#   powerpc     32-bit big-endian: powerpc-linux-gnu-gcc -O2 -static, under qemu-ppc-static
#   s390x       64-bit big-endian: s390x-linux-gnu-gcc -O1 -static -fsanitize=undefined
#               -fno-sanitize-recover=all (UBSan only: ASan hangs under qemu-user), under
#               qemu-s390x-static; if static UBSan does not link, the dynamic build with
#               QEMU_LD_PREFIX=/usr/s390x-linux-gnu (said on the case line)
#   cortex-m4   arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -Os
#               against newlib with rdimon semihosting, under qemu-system-arm -M mps2-an386;
#               start-up code, linker script and the dirent stand-in in tests/portable/m4/ (see
#               tests/portable/README.md). The JSONTestSuite files are read from the host through
#               semihosting; the folder's listing comes from a manifest written here. The case
#               line also gives the stack peak of the run.
#   cortex-m4 harness  tests/portable/m4/exit_probe.c with the same start-up code: a passing
#               check must end qemu with status 0, a failing one with 1 and an undefined
#               instruction (the fault handler) with 125, so the cortex-m4 case can fail.
#   same unit cases    every machine that printed a summary ran as many unit cases as the others.
#
# All machines build one copy of stripe_connect.h and tests/unit/, taken before the builds
# (build/check/portability/src/), so they build the same tree even while it is being edited.
# Every run is under `timeout` (PORTABILITY_TIMEOUT seconds, default 180). The cases run two at a
# time. JSON_SUITE_DIR (default ../shared/testdata/JSONTestSuite/test_parsing, relative to the
# repository's root, where every run starts) is the folder handed to the unit tests.
#
# Installs the cross compilers, C libraries and qemu with apt-get when they are missing (as root;
# otherwise prints the command and exits 1; never gcc-multilib, which conflicts with the cross
# compilers). Outputs go to build/check/portability/ (one folder per machine: build.log, run.log).
# Ends with "-- N passed, N failed (T s)"; exit status 1 when any case failed.
set -u

cd "$(dirname "$0")/../.." || exit 1
out=build/check/portability
json_suite_dir=${JSON_SUITE_DIR:-../shared/testdata/JSONTestSuite/test_parsing}
run_timeout=${PORTABILITY_TIMEOUT:-180}

WARNINGS="-Wall -Wextra -Wpedantic -Wshadow -Werror"
# The sources of build/unit_tests, as the Makefile lists them, from the snapshot taken before
# the builds (below), so that every machine builds the same tree.
src=$out/src
UNIT_SOURCES=""
M4_CPU="-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16"
M4_LINK="--specs=rdimon.specs -T tests/portable/m4/mps2_an386.ld -Wl,--gc-sections -Wl,--wrap=main"
QEMU_M4="qemu-system-arm -M mps2-an386 -nographic -monitor none -serial none"

rm -rf "$out"
mkdir -p "$out" || exit 1
start=$SECONDS
passed=0 failed=0
STEP=portability
. tests/check.d/common.sh   # case lines, the summary line, install_missing

# ---- What it needs ----------------------------------------------------------------------------
# command package: the commands looked for, and the package that brings each.
needed="i686-linux-gnu-gcc:gcc-i686-linux-gnu
/usr/i686-linux-gnu/include/stdio.h:libc6-dev-i386-cross
powerpc-linux-gnu-gcc:gcc-powerpc-linux-gnu
/usr/powerpc-linux-gnu/include/stdio.h:libc6-dev-powerpc-cross
s390x-linux-gnu-gcc:gcc-s390x-linux-gnu
/usr/s390x-linux-gnu/include/stdio.h:libc6-dev-s390x-cross
qemu-ppc-static:qemu-user-static
qemu-s390x-static:qemu-user-static
arm-none-eabi-gcc:gcc-arm-none-eabi
/usr/lib/arm-none-eabi/lib/rdimon.specs:libnewlib-arm-none-eabi
qemu-system-arm:qemu-system-arm"

missing_packages() {
    local line thing
    for line in $needed; do
        thing=${line%%:*}
        case "$thing" in
            /*) [ -e "$thing" ] ;;
            *) command -v "$thing" > /dev/null 2>&1 ;;
        esac || echo "${line#*:}"
    done | sort -u | tr '\n' ' '
}

# ---- One machine --------------------------------------------------------------------------------
# Each function runs in a subshell with its own folder $dir; what it prints goes to $dir/case.log,
# its remark for the case line to $dir/case.log.note. It returns 0 when the case passed.

# unit_outcome RUN_LOG STATUS [REMARK]: the verdict on one run of the unit tests, from its exit
# status and its last "unit: N passed, N failed" line; the counts go to the note and to
# $dir/count (the number of cases run).
unit_outcome() {
    local log=$1 status=$2 remark=${3:-} line passed_cases failed_cases
    line=$(grep -E '^unit: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
    echo "--- the run's output ($log), last lines:"
    grep -v '^unit: ' "$log" | tail -n 30
    [ -n "$line" ] && echo "$line"
    echo "--- exit status $status"
    if [ -z "$line" ]; then
        case $status in
            124) echo "no summary: timed out after $run_timeout s${remark:+; $remark}" > "$NOTE" ;;
            *) echo "no summary, exit status $status${remark:+; $remark}" > "$NOTE" ;;
        esac
        return 1
    fi
    passed_cases=$(echo "$line" | sed -E 's/^unit: ([0-9]+) passed.*/\1/')
    failed_cases=$(echo "$line" | sed -E 's/.* ([0-9]+) failed$/\1/')
    echo "$((passed_cases + failed_cases))" > "$dir/count"
    echo "$line" > "$NOTE"
    [ -n "$remark" ] && sed -i "1s|\$|; $remark|" "$NOTE"
    [ "$status" -ne 0 ] && [ "$failed_cases" -eq 0 ] && sed -i "1s|\$|; exit status $status|" "$NOTE"
    [ "$status" -eq 0 ] && [ "$failed_cases" -eq 0 ] && [ "$passed_cases" -gt 0 ]
}

# build COMMAND...: runs the build, its output in $dir/build.log; on failure shows it.
build() {
    echo "--- build: $*"
    if ! "$@" > "$dir/build.log" 2>&1; then
        tail -n 40 "$dir/build.log"
        echo "did not build (log: $dir/build.log)" > "$NOTE"
        return 1
    fi
}

# linux_target CC OPT RUNNER...: the unit tests for a Linux target, static, run by RUNNER.
linux_target() {
    local cc=$1 opt=$2 status
    shift 2
    build "$cc" -std=c99 "$opt" -g $WARNINGS -I"$src" -static $UNIT_SOURCES -o "$dir/unit_tests" || return 1
    echo "--- run: $* $dir/unit_tests $json_suite_dir"
    timeout "$run_timeout" "$@" "$dir/unit_tests" "$json_suite_dir" > "$dir/run.log" 2>&1 < /dev/null
    status=$?
    unit_outcome "$dir/run.log" "$status"
}

machine_i686() {
    local status remark=""
    build i686-linux-gnu-gcc -std=c99 -O2 -g $WARNINGS -I"$src" -static $UNIT_SOURCES -o "$dir/unit_tests" || return 1
    timeout "$run_timeout" "$dir/unit_tests" "$json_suite_dir" > "$dir/run.log" 2>&1 < /dev/null
    status=$?
    if [ "$status" -eq 126 ] && command -v qemu-i386-static > /dev/null 2>&1; then
        # Exec format error: a kernel built without IA-32 emulation.
        remark="run under qemu-i386-static: this kernel does not run 32-bit programs"
        timeout "$run_timeout" qemu-i386-static "$dir/unit_tests" "$json_suite_dir" > "$dir/run.log" 2>&1 < /dev/null
        status=$?
    fi
    unit_outcome "$dir/run.log" "$status" "$remark"
}

machine_powerpc() {
    linux_target powerpc-linux-gnu-gcc -O2 qemu-ppc-static
}

machine_s390x() {
    local flags="-std=c99 -O1 -g $WARNINGS -fsanitize=undefined -fno-sanitize-recover=all -I$src" status remark="UBSan"
    echo "--- build: s390x-linux-gnu-gcc $flags -static" $UNIT_SOURCES
    if s390x-linux-gnu-gcc $flags -static $UNIT_SOURCES -o "$dir/unit_tests" > "$dir/build.log" 2>&1; then
        echo "--- run: qemu-s390x-static $dir/unit_tests $json_suite_dir"
        timeout "$run_timeout" qemu-s390x-static "$dir/unit_tests" "$json_suite_dir" > "$dir/run.log" 2>&1 < /dev/null
        status=$?
    else
        tail -n 20 "$dir/build.log"
        remark="UBSan, dynamic: the static build did not link"
        build s390x-linux-gnu-gcc $flags $UNIT_SOURCES -o "$dir/unit_tests" || return 1
        echo "--- run: QEMU_LD_PREFIX=/usr/s390x-linux-gnu qemu-s390x-static $dir/unit_tests $json_suite_dir"
        QEMU_LD_PREFIX=/usr/s390x-linux-gnu timeout "$run_timeout" qemu-s390x-static "$dir/unit_tests" \
            "$json_suite_dir" > "$dir/run.log" 2>&1 < /dev/null
        status=$?
    fi
    unit_outcome "$dir/run.log" "$status" "$remark"
}

# m4_build ELF SOURCES...: SOURCES (compiled with the unit tests' warnings) plus the start-up code
# and the dirent stand-in, linked for the mps2-an386 board.
m4_build() {
    local elf=$1 source object objects=""
    shift
    for source in "$@"; do
        object="$dir/obj/$(basename "$source" .c).o"
        arm-none-eabi-gcc $M4_CPU -std=c99 -Os -g $WARNINGS -ffunction-sections -fdata-sections \
            -I"$src" -Itests/portable/m4/include -c "$source" -o "$object" || return 1
        objects="$objects $object"
    done
    # Start-up code: GNU C (inline assembly, naked functions), so without -Wpedantic.
    arm-none-eabi-gcc $M4_CPU -std=gnu99 -Os -g -Wall -Wextra -Werror -ffunction-sections \
        -c tests/portable/m4/startup.c -o "$dir/obj/startup.o" &&
    arm-none-eabi-gcc $M4_CPU -std=gnu99 -Os -g -Wall -Wextra -Werror -ffunction-sections \
        -Itests/portable/m4/include -DPORTABLE_DIRENT_MANIFEST="\"$dir/json_suite.list\"" \
        -c tests/portable/m4/dirent_manifest.c -o "$dir/obj/dirent_manifest.o" &&
    arm-none-eabi-gcc $M4_CPU $M4_LINK -Wl,-Map="$elf.map" $objects "$dir/obj/startup.o" \
        "$dir/obj/dirent_manifest.o" -o "$elf" &&
    arm-none-eabi-size "$elf"
}

# m4_run ELF LOG ARGS...: the program under qemu, ARGS as its argv[1..] (semihosting), output in
# LOG; returns qemu's exit status.
m4_run() {
    local elf=$1 log=$2 config arg
    config="enable=on,target=native,arg=$(basename "$1" .elf)"
    shift 2
    for arg in "$@"; do config="$config,arg=${arg//,/,,}"; done   # a comma is doubled in qemu options
    echo "--- run: $QEMU_M4 -semihosting-config $config -kernel $elf"
    timeout "$run_timeout" $QEMU_M4 -semihosting-config "$config" -kernel "$elf" > "$log" 2>&1 < /dev/null
}

machine_cortex_m4() {
    local status peak
    mkdir -p "$dir/obj"
    case "$json_suite_dir" in
        *[[:space:]]*) echo "the JSONTestSuite folder holds a space, which the semihosting command line cannot carry" > "$NOTE"
                       return 1 ;;
    esac
    # The listing opendir() hands out on the board: the folder as given, then its entries.
    if ls -1 "$json_suite_dir" > "$dir/entries" 2> /dev/null; then
        { printf '%s\n' "$json_suite_dir"; cat "$dir/entries"; } > "$dir/json_suite.list"
    fi
    build m4_build "$dir/unit_tests.elf" $UNIT_SOURCES || return 1
    cat "$dir/build.log"
    m4_run "$dir/unit_tests.elf" "$dir/run.log" "$json_suite_dir"
    status=$?
    peak=$(sed -nE 's/^m4: stack peak ([0-9]+) bytes$/stack peak \1 bytes/p;
                    s/^m4: the stack reached its limit, ([0-9]+) bytes$/the stack reached its limit of \1 bytes/p' \
           "$dir/run.log" | tail -n 1)
    unit_outcome "$dir/run.log" "$status" "$peak"
}

machine_cortex_m4_harness() {
    local mode want status summary ok=0 seen=""
    mkdir -p "$dir/obj"
    build m4_build "$dir/exit_probe.elf" tests/portable/m4/exit_probe.c "$src"/tests/unit/test.c || return 1
    for mode in pass:0 fail:1 fault:125; do
        want=${mode#*:} mode=${mode%:*}
        m4_run "$dir/exit_probe.elf" "$dir/run-$mode.log" "$mode"
        status=$?
        cat "$dir/run-$mode.log"
        summary=$(grep -cE '^unit: (1 passed, 0 failed|0 passed, 1 failed)$' "$dir/run-$mode.log")
        echo "--- $mode: exit status $status, want $want"
        seen="$seen, $mode $status"
        if [ "$status" -ne "$want" ]; then ok=1; fi
        case $mode in
            pass|fail) [ "$summary" -eq 1 ] || { echo "--- $mode: no summary line"; ok=1; } ;;
            fault) grep -q '^m4: FAULT' "$dir/run-$mode.log" || { echo "--- fault: no fault report"; ok=1; } ;;
        esac
    done
    if [ "$ok" -eq 0 ]; then
        echo "exit status carried out: passing check 0, failing check 1, fault 125" > "$NOTE"
    else
        echo "exit status: want pass 0, fail 1, fault 125; got ${seen#, }" > "$NOTE"
    fi
    return $ok
}

# ---- The runs -----------------------------------------------------------------------------------
if ! install_missing > "$out/install.log" 2>&1; then
    case_result "portability: cross compilers and qemu installed" 1 "$out/install.log"
    [ "$(id -u)" -ne 0 ] && finish
else
    cat "$out/install.log"
fi

# The header and the unit tests as they are now: all machines build this copy.
mkdir -p "$src/tests/unit" && cp stripe_connect.h "$src/" && cp tests/unit/*.c tests/unit/*.h "$src/tests/unit/" || {
    echo "portability: cannot copy the sources to $src"; exit 1; }
UNIT_SOURCES=$(ls "$src"/tests/unit/main.c "$src"/tests/unit/test.c "$src"/tests/unit/test_*.c)

machines="i686 powerpc s390x cortex-m4 cortex-m4-harness"
running=0
for machine in $machines; do
    if ((running >= 2)); then wait -n; running=$((running - 1)); fi
    dir="$out/$machine"
    mkdir -p "$dir"
    (
        case_start=$SECONDS
        NOTE="$dir/case.log.note"
        "machine_${machine//-/_}" > "$dir/case.log" 2>&1 < /dev/null
        echo $? > "$dir/status"
        echo "$((SECONDS - case_start)) s" > "$dir/time"
    ) &
    running=$((running + 1))
done
wait

counts=""
for machine in $machines; do
    dir="$out/$machine"
    echo "--- $machine took $(cat "$dir/time" 2> /dev/null)" >> "$dir/case.log"
    case_result "portability $machine" "$(cat "$dir/status" 2> /dev/null || echo 1)" "$dir/case.log"
    [ -s "$dir/count" ] && counts="$counts $machine:$(cat "$dir/count")"
done

# The same number of unit cases everywhere: a machine that quietly ran fewer (a suite left out,
# a folder read as empty) shows here even when all it ran passed.
echo "unit cases per machine:$counts" > "$out/same.log"
distinct=$(for c in $counts; do echo "${c#*:}"; done | sort -u | wc -l)
if [ -n "$counts" ] && [ "$distinct" -eq 1 ]; then
    echo "$(echo "$counts" | awk '{ split($1, a, ":"); print a[2] }') unit cases on each of$(for c in $counts; do printf ' %s' "${c%%:*}"; done)" > "$out/same.log.note"
    case_result "portability: the same unit cases on every machine" 0 "$out/same.log"
else
    counts=${counts# }
    echo "${counts:-no machine printed its summary}" > "$out/same.log.note"
    case_result "portability: the same unit cases on every machine" 1 "$out/same.log"
fi
finish
