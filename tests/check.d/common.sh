# tests/check.d/common.sh - what the steps of `make check` share: the case lines, the summary line,
# and the apt-get install of what a step lacks. Sourced by a step after it has set:
#
#   STEP            its name, for messages ("footprint")
#   out             its output directory under build/check/ (apt-get's log goes there)
#   start           $SECONDS when it began
#   passed, failed  its counters (0)
#   missing_packages   a function that prints the Debian packages still missing (any spacing)
#
# Case lines are those of tests/run.sh: "ok   NAME (note)" or "FAIL NAME (note)" and the end of
# the case's log; the last line is "-- N passed, N failed (T s)", which tests/check.sh adds up.

# case_result NAME STATUS LOG: one case line; a failure shows the end of LOG. A short remark for
# the case line may be left in LOG.note.
case_result() {
    local note=""
    [ -s "$3.note" ] && note=" ($(cat "$3.note"))"
    if [ "$2" = 0 ]; then
        printf 'ok   %s%s\n' "$1" "$note"
        passed=$((passed + 1))
    else
        printf 'FAIL %s%s\n' "$1" "$note"
        tail -n 60 "$3" | sed 's/^/     | /'
        failed=$((failed + 1))
    fi
}

case_seq=0
# run_case NAME FUNCTION ARGS...: FUNCTION's output goes to a log of its own; $NOTE names the
# file for its remark (see note).
run_case() {
    local name=$1 log rc
    shift
    case_seq=$((case_seq + 1))
    log="$out/case-$case_seq.log"
    ( NOTE="$log.note"; "$@" ) > "$log" 2>&1 < /dev/null
    rc=$?
    case_result "$name" "$rc" "$log"
    return "$rc"
}

# note TEXT: the remark on the case line of the run_case running now.
note() { echo "$*" > "$NOTE"; }

finish() {
    echo "-- $passed passed, $failed failed ($((SECONDS - start)) s)"
    [ "$failed" -eq 0 ]
    exit
}

# install_missing: installs what missing_packages prints with apt-get when root (otherwise prints
# the command and fails), then checks that nothing is missing any more. Another step may hold
# the dpkg lock: apt-get waits for it rather than fail.
install_missing() {
    local missing
    missing=$(missing_packages | tr ' ' '\n' | sed '/^$/d' | sort -u | tr '\n' ' ')
    missing=${missing% }
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "$STEP: missing: $missing; install them with:"
        echo "    sudo apt-get install -y --no-install-recommends $missing"
        return 1
    fi
    echo "$STEP: installing $missing (apt-get; log in $out/apt.log)"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -o DPkg::Lock::Timeout=600 --no-install-recommends $missing \
            > "$out/apt.log" 2>&1 < /dev/null; then
        { apt-get update -o DPkg::Lock::Timeout=600 &&
          apt-get install -y -o DPkg::Lock::Timeout=600 --no-install-recommends $missing; } \
            >> "$out/apt.log" 2>&1 < /dev/null || { tail -n 20 "$out/apt.log"; return 1; }
    fi
    missing=$(missing_packages | tr '\n' ' ')
    [ -z "${missing// /}" ] || { echo "$STEP: still missing after apt-get: $missing"; return 1; }
}
