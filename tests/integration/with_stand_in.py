#!/usr/bin/env python3
"""Runs one command against a fresh Stripe stand-in, then stops the stand-in.

    python3 tests/integration/with_stand_in.py [--timeout SECONDS] COMMAND [ARGS...]

Makes the certificates, starts stand_in.py on free loopback ports, runs COMMAND with
STAND_IN_STATE (the state file), STAND_IN_CERTS (the certificates) and STAND_IN_LOG (the
stand-in's log) added to its environment, which is the contract of test_curl_adapter.c and
test_mbedtls_adapter.c, then stops the stand-in by its PID, on every path. Everything goes to a
directory of its own under build/integration/ (named on stderr), so runs at the same time do
not meet. Exits with COMMAND's status: 124 when it ran past --timeout (default 600 s), 125 when
the stand-in could not be started.
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import BUILD, StandIn, make_certs  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description="COMMAND against a fresh Stripe stand-in")
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if not args.command:
        parser.error("no COMMAND")

    BUILD.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="with_stand_in-", dir=BUILD))
    print(f"with_stand_in: the stand-in's log and certificates are in {work}", file=sys.stderr)
    stand_in = StandIn(work / "certs", work)
    try:
        make_certs(work / "certs")
        stand_in.start()
    except Exception as problem:
        stand_in.stop()
        print(f"with_stand_in: {problem}", file=sys.stderr)
        return 125
    try:
        return subprocess.run(args.command, env={**os.environ, **stand_in.environment()},
                              timeout=args.timeout).returncode
    except subprocess.TimeoutExpired:
        print(f"with_stand_in: {args.command[0]} ran past {args.timeout:.0f} s", file=sys.stderr)
        return 124
    finally:
        stand_in.stop()


if __name__ == "__main__":
    sys.exit(main())
