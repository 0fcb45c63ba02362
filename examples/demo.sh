#!/usr/bin/env bash
# examples/demo.sh - what `make demo` runs: the whole Stripe Connect OAuth flow on this machine,
# against the local Stripe stand-in. Nothing reaches the real Stripe.
#
#   1. installs what is missing (apt-get when root; otherwise prints the command and stops)
#   2. builds build/stripe-connect
#   3. makes a fresh test CA and certificates in build/demo/certs
#   4. starts the stand-in (tests/integration/stand_in.py) on free loopback ports
#   5. runs `build/stripe-connect demo` against it
#   6. stops the stand-in by its PID, on every path, and exits with the demo's status
#
# STRIPE_TRANSPORT=mbedtls make demo runs the flow over the mbedTLS adapter instead of libcurl.
# Logs: build/demo/*.log (the stand-in's request log is build/demo/requests.log).
set -u

cd "$(dirname "$0")/.." || exit 1
make_command=${MAKE:-make}
out=build/demo
stand_in_pid=

step() { printf '==> %s\n' "$*"; }
fail() { printf 'make demo: %s\n' "$*" >&2; exit 1; }

# Shows the end of a log after a step failed.
show_log() { [ -s "$1" ] && tail -n 20 "$1" | sed 's/^/    /' >&2; }

# ---- 1. What the demo needs (Debian 12 package names) -------------------------------------------
# 0 when a C program including $1 preprocesses.
has_header() { printf '#include <%s>\n' "$1" | cc -E -x c - > /dev/null 2>&1; }

missing_packages() {
    command -v cc > /dev/null 2>&1 && command -v make > /dev/null 2>&1 || echo build-essential
    command -v python3 > /dev/null 2>&1 || echo python3
    command -v openssl > /dev/null 2>&1 || echo openssl
    has_header curl/curl.h || echo libcurl4-openssl-dev
    has_header mbedtls/ssl.h || echo libmbedtls-dev
}

install_missing() {
    local missing
    missing=$(missing_packages | sort -u | tr '\n' ' ')
    missing=${missing% }
    if [ -z "$missing" ]; then
        step "dependencies: a C compiler, make, python3, openssl, libcurl and mbedTLS headers: all present"
        return 0
    fi
    if [ "$(id -u)" -ne 0 ]; then
        printf 'make demo: missing: %s\nmake demo: install them with:\n    sudo apt-get install -y %s\n' \
            "$missing" "$missing" >&2
        exit 2
    fi
    step "installing $missing (apt-get; log in $out/apt.log)"
    if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $missing; } \
            > "$out/apt.log" 2>&1 < /dev/null; then
        show_log "$out/apt.log"
        fail "apt-get install -y $missing failed"
    fi
    missing=$(missing_packages | tr '\n' ' ')
    [ -z "${missing% }" ] || fail "still missing after apt-get: $missing"
}

# ---- 4. and 6. The stand-in, stopped on every path ----------------------------------------------
stop_stand_in() {
    local waited=0
    [ -n "$stand_in_pid" ] || return 0
    kill "$stand_in_pid" 2> /dev/null
    while kill -0 "$stand_in_pid" 2> /dev/null && [ "$waited" -lt 50 ]; do
        sleep 0.1
        waited=$((waited + 1))
    done
    kill -0 "$stand_in_pid" 2> /dev/null && kill -9 "$stand_in_pid" 2> /dev/null
    wait "$stand_in_pid" 2> /dev/null
    step "stand-in (pid $stand_in_pid) stopped"
    stand_in_pid=
}
trap stop_stand_in EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Starts the stand-in and waits for its state file; sets port.
start_stand_in() {
    local waited=0
    rm -f "$out/state.json"
    python3 tests/integration/stand_in.py --cert-dir "$out/certs" --state-file "$out/state.json" \
        --log "$out/requests.log" > "$out/stand_in.log" 2>&1 &
    stand_in_pid=$!
    while [ ! -s "$out/state.json" ]; do
        if ! kill -0 "$stand_in_pid" 2> /dev/null; then
            wait "$stand_in_pid" 2> /dev/null
            stand_in_pid=
            show_log "$out/stand_in.log"
            fail "the stand-in stopped before it was ready"
        fi
        [ "$waited" -lt 150 ] || { show_log "$out/stand_in.log"; fail "the stand-in was not ready after 15 s"; }
        sleep 0.1
        waited=$((waited + 1))
    done
    sleep 0.1   # the file is written in one go, but give a slow disk a moment
    port=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["port"])' "$out/state.json") ||
        fail "cannot read the port from $out/state.json"
    step "stand-in (pid $stand_in_pid) serving https://localhost:$port with the test CA's certificate"
}

# ---- The run ----------------------------------------------------------------------------------------
mkdir -p "$out" || exit 1
install_missing

step "building build/stripe-connect (log in $out/build.log)"
"$make_command" --no-print-directory build/stripe-connect > "$out/build.log" 2>&1 ||
    { show_log "$out/build.log"; fail "the build failed"; }

step "making a test CA and certificates in $out/certs (openssl; log in $out/certs.log)"
bash tests/integration/make_certs.sh "$out/certs" > "$out/certs.log" 2>&1 ||
    { show_log "$out/certs.log"; fail "making the certificates failed"; }

start_stand_in

transport=${STRIPE_TRANSPORT:-curl}
step "running: build/stripe-connect demo (STRIPE_TRANSPORT=$transport)"
echo
env -u STRIPE_REDIRECT_URI \
    STRIPE_CLIENT_ID=ca_test_standin STRIPE_SECRET_KEY=sk_test_standin \
    STRIPE_CONNECT_BASE="https://localhost:$port" STRIPE_API_BASE="https://localhost:$port" \
    STRIPE_CA_FILE="$out/certs/ca.pem" STRIPE_TRANSPORT="$transport" \
    build/stripe-connect demo
status=$?
echo
stop_stand_in
if [ "$status" -eq 0 ]; then
    step "make demo: done; nothing left running (the stand-in's request log: $out/requests.log)"
else
    printf 'make demo: build/stripe-connect demo exited with status %s (1 Stripe said no, 2 usage,' "$status" >&2
    printf ' 3 transport, 4 bad response); the stand-in'"'"'s logs are in %s/\n' "$out" >&2
fi
exit "$status"
