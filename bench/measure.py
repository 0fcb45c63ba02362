#!/usr/bin/env python3
"""Instruction counts and heap allocations per operation, under valgrind.

    python3 bench/measure.py [--allocations] BINARY OP N

prints `OP COUNT`: the instructions one operation takes, (I(2N) - I(N)) / N, where I(k) is the
total callgrind counts for `BINARY run OP k`. Start-up, reading the inputs and prepare are in
both runs, so they cancel. With --allocations it prints `OP ALLOCATIONS`, the heap allocations
per operation, the same way from memcheck's "total heap usage" (valgrind replaces malloc, so
every allocation in the process is counted, the libraries' included; no LD_PRELOAD).

bench/run.py and tests/check.d/bench.sh use the functions below.
"""
import os
import re
import subprocess
import sys
import tempfile


class MeasureError(RuntimeError):
    pass


def _valgrind(arguments, environment=None, timeout=600):
    result = subprocess.run(["valgrind"] + arguments, capture_output=True, text=True, timeout=timeout,
                            env={**os.environ, **(environment or {})})
    if result.returncode != 0:
        raise MeasureError(f"valgrind {' '.join(arguments)} exited with {result.returncode}:\n"
                           f"{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return result


def total_instructions(binary, op, n, environment=None):
    """The instructions callgrind counts for the whole of `binary run op n`."""
    with tempfile.TemporaryDirectory(prefix="bench-callgrind-") as directory:
        out = os.path.join(directory, "callgrind.out")
        _valgrind(["--tool=callgrind", f"--callgrind-out-file={out}", binary, "run", op, str(n)], environment)
        with open(out) as file:
            for line in file:
                if line.startswith("summary:") or line.startswith("totals:"):
                    return int(line.split()[1])
    raise MeasureError(f"no totals in callgrind's output for {op}")


def total_allocations(binary, op, n, environment=None):
    """The heap allocations memcheck counts for the whole of `binary run op n`."""
    result = _valgrind(["--tool=memcheck", "--leak-check=no", binary, "run", op, str(n)], environment)
    match = re.search(r"total heap usage: ([\d,]+) allocs", result.stderr)
    if match is None:
        raise MeasureError(f"no heap summary from memcheck for {op}:\n{result.stderr[-2000:]}")
    return int(match.group(1).replace(",", ""))


def per_operation(total, binary, op, n, environment=None):
    """(total(2N) - total(N)) / N, as a float."""
    once = total(binary, op, n, environment)
    twice = total(binary, op, 2 * n, environment)
    return (twice - once) / n


def instructions(binary, op, n, environment=None):
    return per_operation(total_instructions, binary, op, n, environment)


def allocations(binary, op, n, environment=None):
    return per_operation(total_allocations, binary, op, n, environment)


def main():
    arguments = sys.argv[1:]
    measure = instructions
    if arguments[:1] == ["--allocations"]:
        measure = allocations
        arguments = arguments[1:]
    if len(arguments) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    binary, op, n = arguments
    try:
        value = measure(binary, op, int(n))
    except (MeasureError, subprocess.TimeoutExpired) as problem:
        print(f"measure: {problem}", file=sys.stderr)
        return 1
    print(f"{op} {value:.0f}" if measure is instructions else f"{op} {value:g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
