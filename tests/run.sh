#!/usr/bin/env bash
# tests/run.sh - everything `make test` checks, after tests/deps.sh has made sure the tools are
# here. Every step runs, whatever failed before it; each outcome is counted as cases:
#
#   unit tests        build/unit_tests, then the same suites under ASan+UBSan with gcc and with
#                     clang: each run adds the "unit: N passed, N failed" the binary prints
#   compile matrix    tests/compile/: the header with its implementation as C89/C99/C11 and
#                     C++98/C++17 by gcc, clang, g++ and clang++ with every warning an error; a
#                     STATIC build that calls nothing; two translation units linked and run; the
#                     header included twice; a freestanding STRIPE_CONNECT_NO_STDLIB build; the
#                     object's undefined symbols; the README's quick start compiled and run
#   cmake             tests/cmake/: add_subdirectory, and find_package after cmake --install
#   install           make install DESTDIR=build/stage PREFIX=/usr, pkg-config, make uninstall
#
# The last line is the grand total, "N passed, N failed"; the exit status is 1 when any failed.
# Outputs and logs go to build/test/.
set -u

cd "$(dirname "$0")/.." || exit 1
root=$PWD
out=build/test
json_suite_dir="$root/../shared/testdata/JSONTestSuite/test_parsing"

MAKE=${MAKE:-make}
CC=${CC:-cc}
GCC=${GCC:-gcc}
CLANG=${CLANG:-clang}
# Our own sub-make, independent of the make that ran us: two jobs at a time.
unset MAKEFLAGS MFLAGS MAKELEVEL
submake() { "$MAKE" --no-print-directory -j2 CC="$CC" GCC="$GCC" CLANG="$CLANG" "$@"; }

STRICT="-Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Werror"
# What the core must never call: allocators, stdio, the clock, the environment.
FORBIDDEN='(malloc|calloc|realloc|reallocarray|free|aligned_alloc|posix_memalign|memalign|valloc|strdup|strndup'
FORBIDDEN+='|(__)?[a-z]*printf(_chk)?|puts|fputs|putc|fputc|putchar|_IO_putc|getc|fgetc|getchar|_IO_getc'
FORBIDDEN+='|fgets|gets|(__isoc99_)?[fs]?scanf|fopen|fopen64|fdopen|freopen|fclose|fread|fwrite|fflush'
FORBIDDEN+='|fseek|ftell|rewind|perror|setbuf|setvbuf|tmpfile|stdin|stdout|stderr'
FORBIDDEN+='|time|clock|clock_gettime|gettimeofday|getenv|secure_getenv)'
VERSION=$(awk '$2 == "STRIPE_CONNECT_VERSION_MAJOR" { a = $3 } $2 == "STRIPE_CONNECT_VERSION_MINOR" { b = $3 }
               $2 == "STRIPE_CONNECT_VERSION_PATCH" { c = $3 } END { print a "." b "." c }' stripe_connect.h)

rm -rf "$out" build/stage
mkdir -p "$out/logs" "$out/compile" "$out/readme" || exit 1

unit_passed=0 unit_failed=0 runs=0
passed=0 failed=0
case_seq=0

# ---- Reporting --------------------------------------------------------------------------------
# report NAME STATUS LOG: one case line; a failure shows the end of its log.
report() {
    local note=""
    [ -s "$3.note" ] && note=" ($(cat "$3.note"))"
    if [ "$2" = 0 ]; then
        printf 'ok   %s%s\n' "$1" "$note"
        passed=$((passed + 1))
    else
        printf 'FAIL %s%s\n' "$1" "$note"
        tail -n 40 "$3" | sed 's/^/     | /'
        failed=$((failed + 1))
    fi
}

# add_counts LABEL PREFIX LOG STATUS [SHOWN]: LOG is what LABEL printed before it ended with
# STATUS: shows its first SHOWN (300) lines and adds the counts of its last "PREFIX: N passed,
# N failed" line to the totals (and to counted_passed, counted_failed). No such line, or a
# non-zero STATUS with nothing counted as failed, is one failed case.
add_counts() {
    local label=$1 prefix=$2 log=$3 rc=$4 shown=${5:-300} line
    counted_passed=0 counted_failed=0
    head -n "$shown" "$log"
    [ "$(wc -l < "$log")" -gt "$shown" ] && echo "... (the rest in $log)"
    line=$(grep -E "^$prefix: [0-9]+ passed, [0-9]+ failed\$" "$log" | tail -n 1)
    if [ -z "$line" ]; then
        printf 'FAIL %s ended without its summary line (exit status %s)\n' "$label" "$rc"
        failed=$((failed + 1))
        return
    fi
    counted_passed=$(echo "$line" | sed -E 's/^.*: ([0-9]+) passed, ([0-9]+) failed$/\1/')
    counted_failed=$(echo "$line" | sed -E 's/^.*: ([0-9]+) passed, ([0-9]+) failed$/\2/')
    passed=$((passed + counted_passed)) failed=$((failed + counted_failed))
    if [ "$rc" -ne 0 ] && [ "$counted_failed" -eq 0 ]; then
        printf 'FAIL %s exited with status %s after its summary\n' "$label" "$rc"
        failed=$((failed + 1))
    fi
}

# add_case NAME COMMAND, then run_cases: the commands run two at a time, each with its output
# in a log of its own (and $NOTE, a file for a short remark on the case line); the case lines
# come out in the order the cases were added.
case_names=() case_commands=()
add_case() { case_names+=("$1"); case_commands+=("$2"); }
run_cases() {
    local i running=0 count=${#case_commands[@]} log
    for ((i = 0; i < count; i++)); do
        if ((running >= 2)); then wait -n; running=$((running - 1)); fi
        log="$out/logs/$((case_seq + i)).log"
        ( NOTE="$log.note"; ( eval "${case_commands[i]}" ) > "$log" 2>&1 < /dev/null; echo $? > "$log.status" ) &
        running=$((running + 1))
    done
    wait
    for ((i = 0; i < count; i++)); do
        log="$out/logs/$((case_seq + i)).log"
        report "${case_names[i]}" "$(cat "$log.status" 2> /dev/null || echo 1)" "$log"
    done
    case_seq=$((case_seq + count))
    case_names=() case_commands=()
}

section() { section_start=$SECONDS; section_passed=$passed; section_failed=$failed; echo "== $1"; }
section_end() {
    echo "-- $((passed - section_passed)) passed, $((failed - section_failed)) failed ($((SECONDS - section_start)) s)"
}

# ---- (a)-(c) Unit tests -------------------------------------------------------------------------
# run_unit LABEL BINARY: builds BINARY through the Makefile, runs it, adds its counts.
run_unit() {
    local log="$out/logs/unit-$runs"
    runs=$((runs + 1))
    section "unit tests: $1"
    if ! submake "$2" > "$log.build" 2>&1; then
        report "build $2" 1 "$log.build"
        section_end
        return
    fi
    "./$2" "$json_suite_dir" > "$log" 2>&1
    add_counts "$2" unit "$log" $?
    unit_passed=$((unit_passed + counted_passed)) unit_failed=$((unit_failed + counted_failed))
    section_end
}

export ASAN_OPTIONS="detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
run_unit "$CC -std=c99 -O1" build/unit_tests
run_unit "$GCC -fsanitize=address,undefined" build/asan-gcc/unit_tests
run_unit "$CLANG -fsanitize=address,undefined" build/asan-clang/unit_tests

# ---- (d) Compile matrix -------------------------------------------------------------------------
note() { echo "$*" > "$NOTE"; }

# undefined_symbols OBJECT: its undefined symbols, one per line, without symbol versions.
undefined_symbols() { nm -u "$1" | awk '{ print $NF }' | sed 's/@.*//' | sort -u; }

# compile_matrix COMPILER STD SOURCE
compile_matrix() {
    "$1" "-std=$2" $STRICT -O2 -I. -c "tests/compile/$3" -o "$out/compile/matrix-$1-$2.o"
}

# compile_static COMPILER STD SOURCE
compile_static() {
    "$1" "-std=$2" $STRICT -O2 -I. -c "tests/compile/$3" -o "$out/compile/static-$1-$2.o"
}

# two_units IMPL_COMPILER IMPL_STD MAIN_COMPILER MAIN_STD MAIN_SOURCE: compile, link, run.
two_units() {
    local dir="$out/compile/two-units-$3"
    mkdir -p "$dir" &&
    "$1" "-std=$2" $STRICT -O2 -I. -c tests/compile/two_units_impl.c -o "$dir/impl.o" &&
    "$3" "-std=$4" $STRICT -O2 -I. -c "tests/compile/$5" -o "$dir/main.o" &&
    "$3" "$dir/impl.o" "$dir/main.o" -o "$dir/two_units" &&
    "./$dir/two_units"
}

# compile_twice COMPILER STD SOURCE
compile_twice() {
    "$1" "-std=$2" $STRICT -O2 -I. -c "tests/compile/$3" -o "$out/compile/twice-$1.o"
}

# freestanding COMPILER INCLUDE_DIR: -ffreestanding -nostdinc with only the compiler's own
# headers; the header files read must be stddef.h and stdint.h (and gcc's stdint-gcc.h), and
# the object may need nothing but what a freestanding C environment provides
# (memcpy, memmove, memset, memcmp, which compilers may emit for copies).
freestanding() {
    local object="$out/compile/freestanding-$1.o" headers bad symbols
    "$1" -std=c89 $STRICT -O2 -ffreestanding -nostdinc -isystem "$2" -I. \
        -c tests/compile/freestanding.c -o "$object" -MD -MF "$object.d" || return 1
    headers=$(sed 's/\\$//' "$object.d" | tr ' ' '\n' | sed '/^$/d; /:$/d' |
              grep -v -x -e tests/compile/freestanding.c -e stripe_connect.h | sort -u)
    bad=$(printf '%s\n' "$headers" | grep -v -E '/(stddef|stdint|stdint-gcc)\.h$')
    [ -z "$bad" ] || { echo "headers other than stddef.h and stdint.h: $bad"; return 1; }
    symbols=$(undefined_symbols "$object")
    note "headers: $(printf '%s\n' "$headers" | sed 's|.*/||' | tr '\n' ' ' | sed 's/ $//');" \
         "undefined: $(echo ${symbols:-none})"
    bad=$(printf '%s\n' "$symbols" | grep -v -x -E '(memcpy|memmove|memset|memcmp)?')
    [ -z "$bad" ] || { echo "undefined symbols a freestanding target may lack: $bad"; return 1; }
}

# symbols COMPILER: the implementation as an ordinary -O2 object, checked with nm -u.
symbols() {
    local object="$out/compile/symbols-$1.o" symbols bad
    "$1" -std=c99 -O2 -I. -c tests/compile/symbols.c -o "$object" || return 1
    symbols=$(undefined_symbols "$object")
    note "undefined: $(echo ${symbols:-none})"
    bad=$(printf '%s\n' "$symbols" | grep -x -E "$FORBIDDEN")
    [ -z "$bad" ] || { echo "the core calls: $bad"; return 1; }
}

# readme_quick_start: the first ```c block of README.md, compiled with warnings as errors and run.
readme_quick_start() {
    local dir="$out/readme"
    awk '/^```c$/ { inside = 1; next } inside && /^```$/ { exit } inside' README.md > "$dir/quick_start.c"
    [ -s "$dir/quick_start.c" ] || { echo "README.md has no \`\`\`c block"; return 1; }
    gcc -std=c99 -Wall -Wextra -Wpedantic -Wshadow -Werror -I. "$dir/quick_start.c" -o "$dir/quick_start" &&
    "./$dir/quick_start" > "$dir/output" &&
    cat "$dir/output" &&
    grep -q '^connected: acct_' "$dir/output"
}

section "compile matrix (tests/compile/, -O2 $STRICT)"
for std in c89 c99 c11; do
    add_case "gcc -std=$std: the implementation and every call" "compile_matrix gcc $std matrix.c"
    add_case "clang -std=$std: the implementation and every call" "compile_matrix clang $std matrix.c"
done
for std in c++98 c++17; do
    add_case "g++ -std=$std: the implementation and every call" "compile_matrix g++ $std matrix.cpp"
    add_case "clang++ -std=$std: the implementation and every call" "compile_matrix clang++ $std matrix.cpp"
done
add_case "gcc -std=c89: STRIPE_CONNECT_STATIC calling nothing, no warning" "compile_static gcc c89 static.c"
add_case "clang -std=c89: STRIPE_CONNECT_STATIC calling nothing, no warning" "compile_static clang c89 static.c"
add_case "g++ -std=c++98: STRIPE_CONNECT_STATIC calling nothing, no warning" "compile_static g++ c++98 static.cpp"
add_case "clang++ -std=c++17: STRIPE_CONNECT_STATIC calling nothing, no warning" "compile_static clang++ c++17 static.cpp"
add_case "two translation units (gcc C89 + gcc C89) link and run" "two_units gcc c89 gcc c89 two_units_main.c"
add_case "two translation units (gcc C89 + g++ C++98 caller) link and run" "two_units gcc c89 g++ c++98 two_units_main.cpp"
add_case "gcc -std=c89: included, IMPLEMENTATION defined, included twice more" "compile_twice gcc c89 twice.c"
add_case "clang -std=c11: included, IMPLEMENTATION defined, included twice more" "compile_twice clang c11 twice.c"
add_case "gcc -ffreestanding -nostdinc: STRIPE_CONNECT_NO_STDLIB" "freestanding gcc \"\$(gcc -print-file-name=include)\""
add_case "clang -ffreestanding -nostdinc: STRIPE_CONNECT_NO_STDLIB" "freestanding clang \"\$(clang -print-resource-dir)/include\""
add_case "gcc -O2 object: no allocator, stdio, clock or getenv in nm -u" "symbols gcc"
add_case "clang -O2 object: no allocator, stdio, clock or getenv in nm -u" "symbols clang"
add_case "README.md quick start compiles (gcc -std=c99 -Werror) and runs" "readme_quick_start"
run_cases
section_end

# ---- (e) CMake ----------------------------------------------------------------------------------
cmake_add_subdirectory() {
    local dir="$out/cmake/add_subdirectory"
    cmake -S tests/cmake/add_subdirectory -B "$dir" -DSTRIPE_CONNECT_SOURCE_DIR="$root" &&
    cmake --build "$dir" &&
    "$dir/consumer"
}

cmake_find_package() {
    local dir="$out/cmake"
    cmake -S . -B "$dir/library" &&
    cmake --install "$dir/library" --prefix "$root/$dir/prefix" &&
    cmake -S tests/cmake/find_package -B "$dir/find_package" -DCMAKE_PREFIX_PATH="$root/$dir/prefix" &&
    cmake --build "$dir/find_package" &&
    "$dir/find_package/consumer" &&
    note "installed: $(cd "$dir/prefix" && find . -type f | sed 's|^\./||' | sort | tr '\n' ' ' | sed 's/ $//')"
}

section "cmake (tests/cmake/)"
add_case "add_subdirectory(<repo>) + stripe_connect::stripe_connect: builds and runs" "cmake_add_subdirectory"
add_case "cmake --install, then find_package(stripe_connect REQUIRED): builds and runs" "cmake_find_package"
run_cases
section_end

# ---- (f) make install ---------------------------------------------------------------------------
stage="build/stage"
pc_dir="$root/$stage/usr/share/pkgconfig"

install_in_place() {
    local adapter
    submake install DESTDIR="$stage" PREFIX=/usr &&
    cmp stripe_connect.h "$stage/usr/include/stripe_connect.h" &&
    test -f "$stage/usr/share/pkgconfig/stripe_connect.pc" || return 1
    for adapter in adapters/*.h; do
        [ -e "$adapter" ] || continue
        cmp "$adapter" "$stage/usr/include/${adapter##*/}" || return 1
    done
    note "$(cd "$stage" && find . -type f | sed 's|^\./||' | sort | tr '\n' ' ' | sed 's/ $//')"
}

pkg_config_works() {
    local cflags version
    cflags=$(PKG_CONFIG_PATH="$pc_dir" pkg-config --cflags stripe_connect) &&
    version=$(PKG_CONFIG_PATH="$pc_dir" pkg-config --modversion stripe_connect) || return 1
    note "--cflags: '$(echo $cflags)', --modversion: $version"
    [ "$version" = "$VERSION" ] || { echo "pkg-config says $version, the header $VERSION"; return 1; }
}

pkg_config_compiles() {
    local cflags dir="$out/pkg-config"
    mkdir -p "$dir" &&
    cflags=$(PKG_CONFIG_PATH="$pc_dir" pkg-config --define-prefix --cflags stripe_connect) &&
    note "--define-prefix --cflags: $cflags" &&
    gcc -std=c99 -Wall -Wextra -Werror $cflags -DCONSUMER_EXPECTED_VERSION="\"$VERSION\"" \
        tests/cmake/consumer.c -o "$dir/consumer" &&
    "./$dir/consumer"
}

uninstall_removes() {
    submake uninstall DESTDIR="$stage" PREFIX=/usr || return 1
    local left
    left=$(find "$stage" -type f)
    [ -z "$left" ] || { echo "left behind: $left"; return 1; }
}

section "install (make install DESTDIR=$stage PREFIX=/usr)"
add_case "make install: the header (and adapters) and the .pc file in place" "install_in_place"
run_cases
add_case "pkg-config --cflags and --modversion stripe_connect (PKG_CONFIG_PATH=$stage/usr/share/pkgconfig)" "pkg_config_works"
add_case "a program built with pkg-config --define-prefix --cflags compiles and runs" "pkg_config_compiles"
run_cases
add_case "make uninstall removes what make install put in place" "uninstall_removes"
run_cases
section_end

# ---- BEGIN integration: the stand-in, and build/stripe-connect over both transports ------------
# tests/integration/test_tool.py makes the certificates, starts the stand-in, runs the stand-in's
# own cases, the curl adapter's C tests against it (test_curl_adapter.c: plain and under ASan+UBSan
# with gcc and clang), then every tool case over curl and mbedTLS (also under valgrind memcheck
# and with build/asan-gcc/stripe-connect), stops the stand-in and prints "integration: N passed,
# N failed", which is added to the total here. What does not build is one failed case, and the
# driver runs without it.
run_integration() {
    local log="$out/logs/integration" options="--no-build" program
    local curl_tests="build/test_curl_adapter build/asan-gcc/test_curl_adapter build/asan-clang/test_curl_adapter"
    section "integration (tests/integration/: the Stripe stand-in; build/stripe-connect over curl and mbedTLS)"
    if ! submake build/stripe-connect build/asan-gcc/stripe-connect > "$log.build" 2>&1; then
        report "build build/stripe-connect build/asan-gcc/stripe-connect" 1 "$log.build"
        options="$options --stand-in-only"
    fi
    if submake $curl_tests > "$log.build-curl" 2>&1; then
        for program in $curl_tests; do options="$options --with $program"; done
    else
        report "build $curl_tests" 1 "$log.build-curl"
    fi
    # The driver waits its turn when another run holds build/integration/, then has 25 minutes.
    PYTHONDONTWRITEBYTECODE=1 timeout 3600 python3 tests/integration/test_tool.py $options \
        > "$log" 2>&1 < /dev/null
    add_counts tests/integration/test_tool.py integration "$log" $? 400
    section_end
}
run_integration
# ---- END integration ----------------------------------------------------------------------------

# ---- BEGIN webhooks (issue 8): tests/integration/test_webhooks.py -------------------------------
# Random payloads and secrets signed by Python's hmac (a fixed seed, printed; WEBHOOK_SEED=N or
# WEBHOOK_SEED=random changes it) through build/webhook_vectors, plain and under ASan+UBSan with
# gcc and with clang; the tool's verify-webhook (build/stripe-connect and its ASan+UBSan build);
# the stand-in's signed account.application.deauthorized received on a local HTTP server and
# verified with the tool. Its "webhooks: N passed, N failed" is added to the total; a program that
# does not build is one failed case, and the driver runs without it.
run_webhooks() {
    local log="$out/logs/webhooks" options="--no-build" program
    section "webhooks (tests/integration/test_webhooks.py: Python-signed vectors, verify-webhook, the stand-in's event)"
    for program in build/webhook_vectors build/asan-gcc/webhook_vectors build/asan-clang/webhook_vectors \
                   build/stripe-connect build/asan-gcc/stripe-connect; do
        if submake "$program" > "$log.build-${program//\//_}" 2>&1; then
            case "$program" in
                */webhook_vectors) options="$options --vectors $program" ;;
                *) options="$options --tool $program" ;;
            esac
        else
            report "build $program" 1 "$log.build-${program//\//_}"
        fi
    done
    PYTHONDONTWRITEBYTECODE=1 timeout 1200 python3 tests/integration/test_webhooks.py $options \
        > "$log" 2>&1 < /dev/null
    add_counts tests/integration/test_webhooks.py webhooks "$log" $?
    section_end
}
run_webhooks
# ---- END webhooks -------------------------------------------------------------------------------

# ---- BEGIN mbedTLS adapter: adapters/stripe_connect_mbedtls.h -----------------------------------
# (a) The HTTP reader's unit tests (tests/unit_http/, a fake socket layer): plain, under ASan+UBSan
#     with gcc and with clang, and under valgrind memcheck; each run adds its "http reader: N
#     passed, N failed" to the total.
# (b) The header compiled as C99, C11, C++11 and C++17 with $STRICT, included twice, and as a
#     STRIPE_CONNECT_STATIC build calling nothing: one case each.
# (c) A stand-in of its own (certificates by make_certs.sh in build/test/mbedtls/, stopped by its
#     PID whatever happens), then tests/integration/test_mbedtls_adapter.c against it: plain,
#     ASan+UBSan with gcc and clang, valgrind; each run adds its "mbedtls adapter: N passed, N
#     failed". Last, examples/mbedtls_custom_socket.c makes one token exchange through it.
mbedtls_dir="$out/mbedtls"
mbedtls_libs="-lmbedtls -lmbedx509 -lmbedcrypto"
mbedtls_valgrind="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect,possible"
mbedtls_stand_in_pid=""

# mbedtls_counted LABEL PREFIX COMMAND...: runs COMMAND (10 minutes at most), then add_counts.
mbedtls_counted() {
    local label=$1 prefix=$2 log
    shift 2
    log="$mbedtls_dir/$(echo "$label" | tr -c 'A-Za-z0-9\n' '_').log"
    echo "-- $label"
    timeout 600 "$@" > "$log" 2>&1 < /dev/null
    add_counts "$label" "$prefix" "$log" $? 200
}

# mbedtls_compile COMPILER_AND_FLAGS...: tests/unit_http/compile_adapter.c, built and, unless
# STRIPE_CONNECT_STATIC is among the flags, run.
mbedtls_compile() {
    local binary="$mbedtls_dir/compile_adapter-$case_seq-$RANDOM"
    case " $* " in
        *" -DSTRIPE_CONNECT_STATIC "*) "$@" $STRICT -O2 -I. -Iadapters -c tests/unit_http/compile_adapter.c -o "$binary.o" ;;
        *) "$@" $STRICT -O2 -I. -Iadapters tests/unit_http/compile_adapter.c -o "$binary" $mbedtls_libs && "./$binary" ;;
    esac
}

mbedtls_stand_in_stop() {
    local i
    [ -n "$mbedtls_stand_in_pid" ] || return 0
    kill "$mbedtls_stand_in_pid" 2> /dev/null
    for ((i = 0; i < 50; i++)); do
        kill -0 "$mbedtls_stand_in_pid" 2> /dev/null || break
        sleep 0.1
    done
    kill -9 "$mbedtls_stand_in_pid" 2> /dev/null
    wait "$mbedtls_stand_in_pid" 2> /dev/null
    mbedtls_stand_in_pid=""
}

# Starts the stand-in; 0 once its state file is written.
mbedtls_stand_in_start() {
    local i
    bash tests/integration/make_certs.sh "$mbedtls_dir/certs" > "$mbedtls_dir/make_certs.log" 2>&1 || return 1
    : > "$mbedtls_dir/stand_in.log"
    python3 tests/integration/stand_in.py --cert-dir "$mbedtls_dir/certs" --state-file "$mbedtls_dir/stand_in.json" \
        --log "$mbedtls_dir/stand_in.log" > "$mbedtls_dir/stand_in.output" 2>&1 < /dev/null &
    mbedtls_stand_in_pid=$!
    for ((i = 0; i < 150; i++)); do
        [ -s "$mbedtls_dir/stand_in.json" ] && return 0
        kill -0 "$mbedtls_stand_in_pid" 2> /dev/null || return 1
        sleep 0.1
    done
    return 1
}

# The example: a fresh code from the stand-in's authorize endpoint, exchanged once (exit 0, the
# account printed), then again (exit 1: invalid_grant); the secret key never printed.
mbedtls_example_exchange() {
    local port code output status
    port=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["port"])' "$mbedtls_dir/stand_in.json") &&
    code=$(python3 - "$port" "$mbedtls_dir/certs/ca.pem" <<'PY'
import http.client, ssl, sys, urllib.parse
connection = http.client.HTTPSConnection("localhost", int(sys.argv[1]), timeout=10,
                                         context=ssl.create_default_context(cafile=sys.argv[2]))
connection.request("GET", "/oauth/authorize?response_type=code&client_id=ca_test_standin&scope=read_write")
location = connection.getresponse().headers["Location"]
print(urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)["code"][0])
PY
) || return 1
    for want in 0 1; do
        output=$(STRIPE_CLIENT_ID=ca_test_standin STRIPE_SECRET_KEY=sk_test_standin STRIPE_TIMEOUT_MS=10000 \
                 STRIPE_CONNECT_BASE="https://localhost:$port" STRIPE_CA_FILE="$mbedtls_dir/certs/ca.pem" \
                 timeout 60 ./build/mbedtls_custom_socket "$code" 2>&1)
        status=$?
        echo "exit status $status: $output"
        [ "$status" -eq "$want" ] || return 1
        case "$output" in *sk_test_standin*) echo "the secret key was printed"; return 1 ;; esac
    done
    note "exchanged once through the user socket layer, refused (invalid_grant) the second time"
}

section "mbedTLS adapter (adapters/stripe_connect_mbedtls.h: HTTP reader, compile checks, against the stand-in)"
mkdir -p "$mbedtls_dir"
if ! submake mbedtls-adapter > "$mbedtls_dir/build.log" 2>&1; then
    report "build: make mbedtls-adapter" 1 "$mbedtls_dir/build.log"
else
    mbedtls_counted "http reader: $CC" "http reader" ./build/unit_http/http_reader_tests
    mbedtls_counted "http reader: $GCC ASan+UBSan" "http reader" ./build/asan-gcc/http_reader_tests
    mbedtls_counted "http reader: $CLANG ASan+UBSan" "http reader" ./build/asan-clang/http_reader_tests
    mbedtls_counted "http reader: valgrind memcheck" "http reader" $mbedtls_valgrind ./build/unit_http/http_reader_tests

    add_case "mbedTLS adapter: gcc -std=c99 $STRICT, included twice, every function called" "mbedtls_compile gcc -std=c99"
    add_case "mbedTLS adapter: clang -std=c11 $STRICT, included twice" "mbedtls_compile clang -std=c11"
    add_case "mbedTLS adapter: g++ -std=c++11 $STRICT, included twice" "mbedtls_compile g++ -x c++ -std=c++11"
    add_case "mbedTLS adapter: clang++ -std=c++17 $STRICT, included twice" "mbedtls_compile clang++ -x c++ -std=c++17"
    add_case "mbedTLS adapter: gcc -std=c99 STRIPE_CONNECT_STATIC calling nothing, no warning" "mbedtls_compile gcc -std=c99 -DSTRIPE_CONNECT_STATIC"
    add_case "mbedTLS adapter: clang++ -std=c++17 STRIPE_CONNECT_STATIC calling nothing, no warning" "mbedtls_compile clang++ -x c++ -std=c++17 -DSTRIPE_CONNECT_STATIC"
    run_cases

    trap 'mbedtls_stand_in_stop; exit 130' INT TERM
    if mbedtls_stand_in_start; then
        export STAND_IN_STATE="$root/$mbedtls_dir/stand_in.json" STAND_IN_CERTS="$root/$mbedtls_dir/certs" \
               STAND_IN_LOG="$root/$mbedtls_dir/stand_in.log"
        mbedtls_counted "mbedtls adapter: $CC" "mbedtls adapter" ./build/test_mbedtls_adapter
        mbedtls_counted "mbedtls adapter: $GCC ASan+UBSan" "mbedtls adapter" ./build/asan-gcc/test_mbedtls_adapter
        mbedtls_counted "mbedtls adapter: $CLANG ASan+UBSan" "mbedtls adapter" ./build/asan-clang/test_mbedtls_adapter
        mbedtls_counted "mbedtls adapter: valgrind memcheck" "mbedtls adapter" $mbedtls_valgrind ./build/test_mbedtls_adapter
        unset STAND_IN_STATE STAND_IN_CERTS STAND_IN_LOG
        # Not through run_cases: its final wait would wait for the stand-in, a child of this shell.
        NOTE="$mbedtls_dir/example.log.note" mbedtls_example_exchange > "$mbedtls_dir/example.log" 2>&1
        report "examples/mbedtls_custom_socket.c: one token exchange through its socket layer" $? "$mbedtls_dir/example.log"
    else
        cat "$mbedtls_dir/make_certs.log" "$mbedtls_dir/stand_in.output" > "$mbedtls_dir/start.log" 2> /dev/null
        report "the stand-in for the mbedTLS adapter's tests starts" 1 "$mbedtls_dir/start.log"
    fi
    mbedtls_stand_in_stop
    trap - INT TERM
fi
section_end
# ---- END mbedTLS adapter ------------------------------------------------------------------------

# ---- Total --------------------------------------------------------------------------------------
echo "== total"
echo "unit cases ($runs runs): $unit_passed passed, $unit_failed failed;" \
     "other cases: $((passed - unit_passed)) passed, $((failed - unit_failed)) failed"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
