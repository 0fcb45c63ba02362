#!/usr/bin/env bash
# tests/check.d/footprint.sh - the footprint budgets of `make check`, checked and printed:
#
#   code    the core's .text for Cortex-M4 (arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -Os
#           -ffunction-sections), the sum of the object's .text* sections (.rodata is printed but
#           not counted), at most TEXT_BUDGET (8192) bytes, in each of three configurations: the
#           default one (<string.h> from newlib, so memcpy/memset/strlen are the C library's and
#           not counted; asserts on), the same with -DNDEBUG, and STRIPE_CONNECT_NO_STDLIB with
#           -ffreestanding (its own copy/fill/length loops counted). The per-function table is
#           the default configuration's: that is what a firmware gets from
#           `#define STRIPE_CONNECT_IMPLEMENTATION` with nothing else defined.
#   stack   no frame above STACK_BUDGET (512) bytes and none unbounded (alloca, VLAs):
#           -fstack-usage for every function of the core with x86-64 gcc -O2 and with
#           Cortex-M4 -Os, and builds with -Wstack-usage=512 -Werror (gcc, both targets) and
#           -Wframe-larger-than=512 -Werror (clang -O2); the call graph (-fcallgraph-info=su)
#           must have no cycle (no recursion), and the deepest chain from each public function
#           is printed (callbacks such as the transport not included).
#   heap    none at all: the core's object references no allocator symbol (Cortex-M4 -Os, and
#           x86-64 gcc -O0, where nothing is optimised away).
#   free-   a -ffreestanding -nostdinc STRIPE_CONNECT_NO_STDLIB build (Cortex-M4 -Os and x86-64
#   standing gcc -Os, warnings as errors) reads no header but stddef.h/stdint.h and references
#           nothing but memcpy/memset/memmove/memcmp (what GCC requires of every freestanding
#           environment) and the compiler's own libgcc helpers (such as __aeabi_uldivmod for a
#           64-bit division on Cortex-M4), each checked to be defined in that target's libgcc.a.
#
#   bash tests/check.d/footprint.sh                  the checks; ends with "-- N passed, N failed"
#   bash tests/check.d/footprint.sh --markdown       the README's "Footprint" table, in Markdown
#   bash tests/check.d/footprint.sh --update-readme  rewrites that table in README.md
#
# Installs gcc-arm-none-eabi and libnewlib-arm-none-eabi with apt-get when they are missing
# (as root; otherwise prints the command and exits 1). Outputs go to build/check/footprint/.
set -u

cd "$(dirname "$0")/../.." || exit 1
out=build/check/footprint
TEXT_BUDGET=${TEXT_BUDGET:-8192}
STACK_BUDGET=${STACK_BUDGET:-512}
mode=check
case "${1:-}" in
    "") ;;
    --markdown) mode=markdown ;;
    --update-readme) mode=update-readme ;;
    *) echo "usage: bash tests/check.d/footprint.sh [--markdown | --update-readme]" >&2; exit 2 ;;
esac

ARM="arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb"
ARM_FLAGS="-std=c99 -Os -ffunction-sections"
STRICT="-Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Werror"
ALLOCATORS='(malloc|calloc|realloc|reallocarray|free|cfree|aligned_alloc|posix_memalign|memalign'
ALLOCATORS+='|valloc|pvalloc|strdup|strndup|alloca|sbrk|_sbrk|brk|mmap|mmap64'
ALLOCATORS+='|_(malloc|calloc|realloc|free|memalign)_r|__libc_(malloc|calloc|realloc|free|memalign)'
ALLOCATORS+='|operator new.*|operator delete.*|_Zn[wa].*|_Zd[la].*)'

rm -rf "$out"
mkdir -p "$out" || exit 1
start=$SECONDS
passed=0 failed=0
STEP=footprint
. tests/check.d/common.sh   # case lines, the summary line, install_missing

# ---- What it needs ----------------------------------------------------------------------------
# The packages still missing, one per line.
missing_packages() {
    command -v gcc > /dev/null 2>&1 || echo gcc
    command -v python3 > /dev/null 2>&1 || echo python3
    command -v arm-none-eabi-gcc > /dev/null 2>&1 || echo gcc-arm-none-eabi
    command -v arm-none-eabi-nm > /dev/null 2>&1 || echo binutils-arm-none-eabi
    printf '#include <string.h>\n#include <assert.h>\nint x;\n' |
        arm-none-eabi-gcc -x c -c - -o /dev/null > /dev/null 2>&1 || echo libnewlib-arm-none-eabi
    if [ "$mode" = check ]; then
        command -v clang > /dev/null 2>&1 || echo clang
    fi
}

# ---- Measuring ----------------------------------------------------------------------------------
# The core alone: the implementation, nothing else.
printf '#define STRIPE_CONNECT_IMPLEMENTATION\n#include "stripe_connect.h"\ntypedef int footprint_core;\n' \
    > "$out/core.c"
printf '#define STRIPE_CONNECT_NO_STDLIB\n#define STRIPE_CONNECT_IMPLEMENTATION\n#include "stripe_connect.h"\ntypedef int footprint_core;\n' \
    > "$out/core_no_stdlib.c"

# nm_of OBJECT: the nm that reads it (the host's, or arm-none-eabi-nm for an ARM object).
nm_of() {
    if readelf -h "$1" 2> /dev/null | grep -q 'Machine:.*ARM'; then arm-none-eabi-nm "${@:2}" "$1"; else nm "${@:2}" "$1"; fi
}

# text_bytes OBJECT: the sum of its .text* sections.
text_bytes() { arm-none-eabi-size -A "$1" | awk '$1 ~ /^\.text/ { s += $2 } END { print s + 0 }'; }
rodata_bytes() { arm-none-eabi-size -A "$1" | awk '$1 ~ /^\.rodata/ { s += $2 } END { print s + 0 }'; }

# function_table OBJECT: "bytes name" for every function, largest first.
function_table() {
    arm-none-eabi-nm --size-sort -S -t d "$1" | awk '$3 ~ /^[tTwW]$/ { print $2 + 0, $4 }' | sort -k1,1nr -k2,2
}

# arm_object NAME SOURCE FLAGS...: the core for Cortex-M4 at -Os as $out/NAME.o.
arm_object() {
    local name=$1 source=$2
    shift 2
    $ARM $ARM_FLAGS "$@" -I. -c "$source" -o "$out/$name.o"
}

# text_budget NAME SOURCE FLAGS...: the .text of that build within TEXT_BUDGET.
text_budget() {
    local name=$1 text rodata
    arm_object "$@" || return 1
    text=$(text_bytes "$out/$name.o")
    rodata=$(rodata_bytes "$out/$name.o")
    note "$text bytes of $TEXT_BUDGET; .rodata $rodata, not counted"
    echo "$out/$name.o: .text $text bytes, .rodata $rodata bytes; budget $TEXT_BUDGET"
    if [ "$text" -gt "$TEXT_BUDGET" ]; then
        echo "over budget by $((text - TEXT_BUDGET)) bytes; the largest functions:"
        function_table "$out/$name.o" | head -n 12 | awk '{ printf "  %6d  %s\n", $1, $2 }'
        return 1
    fi
}

# ---- Markdown -----------------------------------------------------------------------------------
# largest_frame SU_FILE: "bytes<TAB>function" of its largest frame.
largest_frame() {
    sort -t "$(printf '\t')" -k2,2nr "$1" | head -n 1 |
        awk -F '\t' '{ n = split($1, p, ":"); sub(/\..*/, "", p[n]); printf "%s\t%s\n", $2, p[n] }'
}

# verdict VALUE BUDGET
verdict() { if [ "$1" -le "$2" ]; then echo "within"; else echo "**over by $(($1 - $2))**"; fi; }

markdown() {
    local object="$out/markdown.o" text rodata functions gcc_version frame host_frame
    arm_object markdown "$out/core.c" -fstack-usage || return 1
    text=$(text_bytes "$object")
    rodata=$(rodata_bytes "$object")
    functions=$(function_table "$object" | wc -l)
    frame=$(largest_frame "$out/markdown.su")
    gcc -std=c99 -O2 -I. -fstack-usage -c "$out/core.c" -o "$out/markdown-host.o" || return 1
    host_frame=$(largest_frame "$out/markdown-host.su")
    gcc_version=$(arm-none-eabi-gcc -dumpfullversion 2> /dev/null || arm-none-eabi-gcc -dumpversion)
    echo "<!-- footprint table: begin (made by: bash tests/check.d/footprint.sh --update-readme) -->"
    echo "The core (\`stripe_connect.h\` with \`STRIPE_CONNECT_IMPLEMENTATION\`, nothing else defined), built by"
    echo "\`arm-none-eabi-gcc $gcc_version -mcpu=cortex-m4 -mthumb -Os -ffunction-sections\` (and for the last"
    echo "stack row by x86-64 \`gcc $(gcc -dumpfullversion 2> /dev/null || gcc -dumpversion) -O2\`):"
    echo
    echo "| measure | this version | budget | |"
    echo "| --- | ---: | ---: | --- |"
    echo "| \`.text\` (all $functions functions) | $text bytes | $TEXT_BUDGET bytes | $(verdict "$text" "$TEXT_BUDGET") |"
    echo "| \`.rodata\` (strings, tables) | $rodata bytes | not budgeted | |"
    echo "| largest stack frame, Cortex-M4 \`-Os\` | ${frame%%$'\t'*} bytes (\`${frame#*$'\t'}\`) | $STACK_BUDGET bytes | $(verdict "${frame%%$'\t'*}" "$STACK_BUDGET") |"
    echo "| largest stack frame, x86-64 gcc \`-O2\` | ${host_frame%%$'\t'*} bytes (\`${host_frame#*$'\t'}\`) | $STACK_BUDGET bytes | $(verdict "${host_frame%%$'\t'*}" "$STACK_BUDGET") |"
    echo "| heap | none | none | |"
    echo
    echo "<details><summary>Every function's .text, largest first</summary>"
    echo
    echo "| function | bytes | share |"
    echo "| --- | ---: | ---: |"
    function_table "$object" | awk -v total="$text" '{ printf "| `%s` | %d | %.1f%% |\n", $2, $1, 100 * $1 / total }'
    echo
    echo "</details>"
    echo "<!-- footprint table: end -->"
}

if [ "$mode" != check ]; then
    install_missing > "$out/install.log" 2>&1 || { cat "$out/install.log" >&2; exit 1; }
    markdown > "$out/table.md" || exit 1
    if [ "$mode" = markdown ]; then cat "$out/table.md"; exit 0; fi
    grep -q '^<!-- footprint table: begin' README.md && grep -q '^<!-- footprint table: end' README.md || {
        echo "README.md has no footprint table markers to replace" >&2; exit 1; }
    awk -v table="$out/table.md" '
        /^<!-- footprint table: begin/ { while ((getline line < table) > 0) print line; skip = 1; next }
        /^<!-- footprint table: end/ { skip = 0; next }
        !skip' README.md > "$out/README.md" && cat "$out/README.md" > README.md &&
        echo "README.md: footprint table updated"
    exit
fi

echo "== footprint (budgets: Cortex-M4 -Os .text <= $TEXT_BUDGET bytes, stack frames <= $STACK_BUDGET bytes, no heap)"
if ! install_missing > "$out/install.log" 2>&1; then
    case_result "the tools: gcc-arm-none-eabi, libnewlib-arm-none-eabi, clang" 1 "$out/install.log"
    finish
fi
grep -q 'installing' "$out/install.log" && cat "$out/install.log"

# ---- (a) Code size ------------------------------------------------------------------------------
run_case "Cortex-M4 -Os .text <= $TEXT_BUDGET bytes: default configuration (<string.h>, asserts on)" \
    text_budget default "$out/core.c"
run_case "Cortex-M4 -Os .text <= $TEXT_BUDGET bytes: -DNDEBUG" \
    text_budget ndebug "$out/core.c" -DNDEBUG
run_case "Cortex-M4 -Os .text <= $TEXT_BUDGET bytes: STRIPE_CONNECT_NO_STDLIB -ffreestanding" \
    text_budget no_stdlib "$out/core_no_stdlib.c" -ffreestanding

# The check can fail: given one byte less than the default build's size, it must say over.
text_check_fails_below() {
    local text
    [ -f "$out/default.o" ] || { echo "no default build to measure"; return 1; }
    text=$(text_bytes "$out/default.o")
    if ( TEXT_BUDGET=$((text - 1)); text_budget below "$out/core.c" ); then
        echo "a budget of $((text - 1)) bytes passed the $text-byte build"
        return 1
    fi
    note "a budget of $((text - 1)) bytes fails the $text-byte build"
}
run_case "the .text check fails a budget one byte under the build" text_check_fails_below

if [ -f "$out/default.o" ]; then
    echo "   Cortex-M4 -Os, default configuration: every function's .text, largest first"
    function_table "$out/default.o" | awk '{ s += $1; printf "   %6d  %s\n", $1, $2 } END { printf "   %6d  (sum of the functions)\n", s }'
fi

# ---- (b) Stack ----------------------------------------------------------------------------------
# frames NAME COMPILER_AND_FLAGS...: -fstack-usage for the core; every function listed, none
# above STACK_BUDGET, none unbounded ("dynamic" without "bounded").
frames() {
    local name=$1 su functions listed worst bad
    shift
    "$@" -I. -fstack-usage -fcallgraph-info=su -c "$out/core.c" -o "$out/$name.o" || return 1
    su="$out/$name.su"
    [ -s "$su" ] || { echo "no $su"; return 1; }
    # Every function in the object must have its line (an empty .su would prove nothing).
    functions=$(nm_of "$out/$name.o" | awk '$2 ~ /^[tTwW]$/' | wc -l)
    listed=$(wc -l < "$su")
    echo "$su: $listed functions (the object defines $functions)"
    [ "$listed" -ge "$functions" ] || { echo "fewer .su lines than functions"; return 1; }
    sort -t "$(printf '\t')" -k2,2nr "$su" | head -n 8 |
        awk -F '\t' '{ n = split($1, p, ":"); printf "  %5d  %-16s %s\n", $2, $3, p[n] }'
    worst=$(sort -t "$(printf '\t')" -k2,2nr "$su" | head -n 1 | awk -F '\t' '{ n = split($1, p, ":"); print $2 " bytes, " p[n] }')
    note "$listed functions; largest frame $worst"
    bad=$(awk -F '\t' -v budget="$STACK_BUDGET" '$2 > budget || ($3 ~ /dynamic/ && $3 !~ /bounded/)' "$su")
    [ -z "$bad" ] || { echo "above $STACK_BUDGET bytes or unbounded:"; echo "$bad"; return 1; }
}

# warn_build COMPILER_AND_FLAGS...: the core compiles with those (stack) warnings as errors.
warn_build() {
    "$@" -I. -c "$out/core.c" -o "$out/warn-$case_seq.o"
}

# call_chains NAME: the call graph of $out/NAME.ci has no cycle; the deepest stack from each
# public function (frames added along the deepest chain) is printed.
call_chains() {
    python3 - "$out/$1.ci" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
frames, edges = {}, {}
for m in re.finditer(r'node: \{ title: "([^"]+)" label: "([^"]*)"', text):
    size = re.search(r'\\n(\d+) bytes \(([^)]*)\)', m.group(2))
    frames[m.group(1)] = int(size.group(1)) if size else 0
for m in re.finditer(r'edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"', text):
    edges.setdefault(m.group(1), set()).add(m.group(2))
short = lambda n: n.split(":")[-1]
depth, state, cycle = {}, {}, []
def walk(node, path):
    if state.get(node) == 1:
        cycle.append(" -> ".join(short(n) for n in path[path.index(node):] + [node]))
        return 0
    if node in depth:
        return depth[node]
    state[node] = 1
    deepest = max([walk(n, path + [node]) for n in edges.get(node, ())] or [0])
    state[node] = 2
    depth[node] = frames.get(node, 0) + deepest
    return depth[node]
for node in frames:
    walk(node, [])
if cycle:
    print("recursion: " + "; ".join(sorted(set(cycle))))
    sys.exit(1)
public = sorted((depth[n], short(n)) for n in frames if short(n).startswith("stripe_connect_"))
for d, name in sorted(public, reverse=True)[:8]:
    print(f"  {d:5d}  {name}")
print(f"NOTE deepest chain {public[-1][0]} bytes from {public[-1][1]}" if public else "NOTE no public function")
PY
}

chains() {
    local log="$out/chains-$1.log"
    call_chains "$1" > "$log" 2>&1 || { cat "$log"; return 1; }
    grep -v '^NOTE ' "$log"
    note "no cycle; $(grep '^NOTE ' "$log" | sed 's/^NOTE //'), callbacks not included"
}

run_case "x86-64 gcc -O2 -fstack-usage: every frame <= $STACK_BUDGET bytes, none unbounded" \
    frames host gcc -std=c99 -O2
run_case "Cortex-M4 -Os -fstack-usage: every frame <= $STACK_BUDGET bytes, none unbounded" \
    frames arm $ARM $ARM_FLAGS
run_case "x86-64 gcc -O2 -Wstack-usage=$STACK_BUDGET -Werror builds" \
    warn_build gcc -std=c99 -O2 "-Wstack-usage=$STACK_BUDGET" -Werror
run_case "Cortex-M4 -Os -Wstack-usage=$STACK_BUDGET -Werror builds" \
    warn_build $ARM $ARM_FLAGS "-Wstack-usage=$STACK_BUDGET" -Werror
run_case "x86-64 clang -O2 -Wframe-larger-than=$STACK_BUDGET -Werror builds" \
    warn_build clang -std=c99 -O2 "-Wframe-larger-than=$STACK_BUDGET" -Werror
[ -s "$out/host.ci" ] && run_case "x86-64 gcc -O2 call graph: no recursion; deepest chains" chains host
[ -s "$out/arm.ci" ] && run_case "Cortex-M4 -Os call graph: no recursion; deepest chains" chains arm

# ---- (c) Heap -----------------------------------------------------------------------------------
# no_allocator OBJECT: no allocator among OBJECT's undefined symbols.
no_allocator() {
    local symbols bad
    symbols=$(nm_of "$1" -u -C | awk '{ $1 = ""; sub(/^ /, ""); print }' | sed 's/@.*//' | sort -u)
    note "undefined: $(echo ${symbols:-none})"
    echo "undefined symbols of $1:"; echo "${symbols:-none}"
    bad=$(printf '%s\n' "$symbols" | grep -x -E "$ALLOCATORS")
    [ -z "$bad" ] || { echo "allocator symbols: $bad"; return 1; }
}

heap_arm() { [ -f "$out/default.o" ] || arm_object default "$out/core.c" || return 1; no_allocator "$out/default.o"; }
heap_host() { gcc -std=c99 -O0 -I. -c "$out/core.c" -o "$out/host-O0.o" && no_allocator "$out/host-O0.o"; }
run_case "Cortex-M4 -Os object: no allocator symbol referenced" heap_arm
run_case "x86-64 gcc -O0 object (nothing optimised away): no allocator symbol referenced" heap_host

# ---- (d) Freestanding ---------------------------------------------------------------------------
# freestanding NAME LIBGCC INCLUDE_DIR COMPILER_AND_FLAGS...
freestanding() {
    local name=$1 libgcc=$2 include=$3 object="$out/freestanding-$1.o" headers bad symbols symbol helpers=""
    shift 3
    "$@" -std=c89 $STRICT -Os -ffreestanding -nostdinc -isystem "$include" -I. \
        -c "$out/core_no_stdlib.c" -o "$object" -MD -MF "$object.d" || return 1
    headers=$(sed 's/\\$//' "$object.d" | tr ' ' '\n' | sed '/^$/d; /:$/d' |
              grep -v -x -e "$out/core_no_stdlib.c" -e stripe_connect.h | sort -u)
    bad=$(printf '%s\n' "$headers" | grep -v -E '/(stddef|stdint|stdint-gcc)\.h$' | sed '/^$/d')
    [ -z "$bad" ] || { echo "headers other than stddef.h and stdint.h: $bad"; return 1; }
    symbols=$(nm_of "$object" -u | awk '{ print $NF }' | sed 's/@.*//; /^$/d' | sort -u)
    echo "undefined symbols of $object:"; echo "${symbols:-none}"
    for symbol in $symbols; do
        case "$symbol" in
            memcpy|memset|memmove|memcmp) ;;
            *)  # Only a helper the compiler's own libgcc defines, for this very target.
                if [ -n "$libgcc" ] && nm -g --defined-only "$libgcc" 2> /dev/null | awk '{ print $NF }' |
                        grep -q -x -F "$symbol"; then
                    helpers="$helpers $symbol"
                else
                    echo "undefined symbol a freestanding target may lack: $symbol"; return 1
                fi ;;
        esac
    done
    note "headers: $(printf '%s\n' "$headers" | sed 's|.*/||' | tr '\n' ' ' | sed 's/ $//');" \
         "undefined: $(echo ${symbols:-none})${helpers:+; from libgcc:$helpers}"
}

arm_libgcc=$($ARM -print-libgcc-file-name)
host_libgcc=$(gcc -print-libgcc-file-name)
run_case "Cortex-M4 -Os -ffreestanding -nostdinc STRIPE_CONNECT_NO_STDLIB: only memcpy/memset/memmove/memcmp (+ libgcc)" \
    freestanding arm "$arm_libgcc" "$(arm-none-eabi-gcc -print-file-name=include)" $ARM -ffunction-sections
run_case "x86-64 gcc -Os -ffreestanding -nostdinc STRIPE_CONNECT_NO_STDLIB: only memcpy/memset/memmove/memcmp (+ libgcc)" \
    freestanding host "$host_libgcc" "$(gcc -print-file-name=include)" gcc

# ---- The README's table -------------------------------------------------------------------------
# Not a case: the table is regenerated when the figures change, not a reason to fail.
if markdown > "$out/table.md" 2> "$out/table.log"; then
    awk '/^<!-- footprint table: begin/ { p = 1 } p; /^<!-- footprint table: end/ { p = 0 }' README.md > "$out/readme-table.md"
    if cmp -s "$out/table.md" "$out/readme-table.md"; then
        echo "   README.md's footprint table is up to date"
    else
        echo "   README.md's footprint table differs from these figures: bash tests/check.d/footprint.sh --update-readme"
    fi
fi

finish
