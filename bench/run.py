#!/usr/bin/env python3
"""make bench: runs every benchmark of build/bench/bench and publishes the results.

    python3 bench/run.py [--binary build/bench/bench] [--flags "-std=c99 -O2 -g"] [--no-exchange]

1. `bench check`: each competitor gives the library's result (same seven fields, same URL
   parameters, same encoded bytes), so like is compared with like.
2. For each operation: instructions per operation under callgrind, (I(2N) - I(N)) / N (the
   primary figure; bench/measure.py), heap allocations per operation under memcheck the same
   way, and the best of 7 timed rounds (wall clock, secondary: this is a shared 2-core VM).
3. The exchange: a fresh stand-in (tests/integration/harness.py: certificates, free loopback
   ports, stopped by its PID on every path), one account connected through its authorize
   endpoint, then the refresh_token grant through the curl adapter and as a bare libcurl POST.
4. `bench stack` and `bench scratch`.

Writes build/bench/results.json, bench/results.md (the table the README shows) and, with gnuplot,
bench/chart.svg (bench/chart.gp). Progress goes to stderr, the table to stdout.
"""
import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

sys.dont_write_bytecode = True
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests" / "integration"))
import measure  # noqa: E402

OUT = ROOT / "build" / "bench"

# Operation -> (N for callgrind, N for memcheck, N per timed round).
IN_PROCESS = {
    "parse_token_500/stripe_connect": (2000, 200, 20000),
    "parse_token_500/cjson": (2000, 200, 20000),
    "parse_token_500/jsmn": (2000, 200, 20000),
    "parse_token_500/jsmn_strict": (2000, 200, 20000),
    "parse_token_4k/stripe_connect": (500, 100, 5000),
    "parse_token_4k/cjson": (500, 100, 5000),
    "parse_token_4k/jsmn": (500, 100, 5000),
    "parse_token_4k/jsmn_strict": (500, 100, 5000),
    "authorize_url/stripe_connect": (2000, 200, 20000),
    "authorize_url/curl_url": (2000, 200, 20000),
    "percent_encode_1k/stripe_connect": (1000, 100, 10000),
    "percent_encode_1k/curl_easy_escape": (1000, 100, 10000),
}
EXCHANGE = {
    "exchange/stripe_connect_curl": (50, 20, 50),
    "exchange/bare_curl": (50, 20, 50),
    "exchange_new_connection/stripe_connect_curl": (10, 4, 10),
    "exchange_new_connection/bare_curl": (10, 4, 10),
}

# (label, library op, competitor op, goal: the library's count at most this times the
# competitor's, or None)
COMPARISONS = [
    ("token 500 B vs cJSON", "parse_token_500/stripe_connect", "parse_token_500/cjson", 0.5),
    ("token 500 B vs jsmn", "parse_token_500/stripe_connect", "parse_token_500/jsmn", 1.0),
    ("token 4 KiB vs cJSON", "parse_token_4k/stripe_connect", "parse_token_4k/cjson", 0.5),
    ("token 4 KiB vs jsmn", "parse_token_4k/stripe_connect", "parse_token_4k/jsmn", 1.0),
    ("URL vs curl_url", "authorize_url/stripe_connect", "authorize_url/curl_url", 0.1),
    ("encode vs curl_easy_escape", "percent_encode_1k/stripe_connect", "percent_encode_1k/curl_easy_escape", None),
    ("exchange, kept alive vs bare libcurl", "exchange/stripe_connect_curl", "exchange/bare_curl", 1.02),
    ("exchange, new connection vs bare libcurl", "exchange_new_connection/stripe_connect_curl",
     "exchange_new_connection/bare_curl", 1.02),
]


def progress(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


def run(arguments, environment=None, check=True):
    result = subprocess.run(arguments, capture_output=True, text=True, cwd=ROOT, timeout=1800,
                            env={**os.environ, **(environment or {})})
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, arguments))} exited with {result.returncode}:\n"
                           f"{result.stdout[-3000:]}{result.stderr[-3000:]}")
    return result


def best_times(binary, op, n, environment=None):
    """(wall, CPU) nanoseconds per operation, each the best of 7 rounds."""
    line = run([binary, "time", op, str(n)], environment).stdout.split()
    return float(line[1]), float(line[2])


def measure_ops(binary, ops, environment=None):
    results = {}
    for op, (n_instructions, n_allocations, n_time) in ops.items():
        progress(f"{op}: callgrind N={n_instructions} and 2N, memcheck N={n_allocations} and 2N, "
                 f"7 timed rounds of {n_time}")
        wall, cpu = best_times(binary, op, n_time, environment)
        results[op] = {
            "instructions": measure.instructions(binary, op, n_instructions, environment),
            "allocations": measure.allocations(binary, op, n_allocations, environment),
            "best_ns": wall,
            "best_cpu_ns": cpu,
        }
    return results


def measure_exchange(binary):
    from harness import StandIn, make_certs  # tests/integration/harness.py
    work = OUT / "stand_in"
    stand_in = StandIn(work / "certs", work)
    try:
        progress("the exchange: certificates and the stand-in (tests/integration/harness.py)")
        make_certs(work / "certs")
        stand_in.start()
        token = stand_in.connect_account()        # authorize, then the code's single use
        environment = {"BENCH_CONNECT_BASE": stand_in.base(), "BENCH_CA_FILE": stand_in.ca_file,
                       "BENCH_REFRESH_TOKEN": token["refresh_token"]}
        check = run([binary, "check-exchange"], environment, check=False)
        sys.stderr.write(check.stdout)
        if check.returncode != 0:
            raise RuntimeError("bench check-exchange failed:\n" + check.stdout + check.stderr)
        results = measure_ops(binary, EXCHANGE, environment)
        # The same count once more: it depends on how the answers arrive, so show the spread.
        for op, (n, _, _) in EXCHANGE.items():
            results[op]["instructions_again"] = measure.instructions(binary, op, n, environment)
        return results
    finally:
        stand_in.stop()


def parse_lines(text, kind):
    return [line.split(" ", 1)[1] for line in text.splitlines() if line.startswith(kind + " ")]


def memory_reports(binary):
    stack = []
    for line in parse_lines(run([binary, "stack"]).stdout, "stack"):
        function, used, inputs = line.split(" ", 2)
        stack.append({"function": function, "bytes": int(used), "input": inputs})
    scratch = []
    for line in parse_lines(run([binary, "scratch"]).stdout, "scratch"):
        call, total, request, answer, rest = line.split(" ", 4)
        scratch.append({"call": call, "total": int(total), "request": int(request), "answer": int(answer),
                        "checked": rest.startswith("checked"), "note": rest.split(" ", 1)[1].strip("() ")})
    return stack, scratch


def version(command, pattern=r"(\d+(\.\d+)+)"):
    try:
        text = subprocess.run(command, capture_output=True, text=True, timeout=30).stdout
    except OSError:
        return "?"
    match = re.search(pattern, text)
    return match.group(1) if match else "?"


def machine(flags):
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"),
        "compiler": "gcc " + version(["gcc", "-dumpfullversion"]),
        "flags": flags,
        "machine": f"{os.cpu_count()}-core VM, {cpu}, Linux {platform.release()}",
        "glibc": version(["ldd", "--version"]),
        "libcurl": version(["pkg-config", "--modversion", "libcurl"]),
        "cjson": version(["pkg-config", "--modversion", "libcjson"]),
        "jsmn": version(["dpkg-query", "-W", "-f", "${Version}", "libjsmn-dev"], r"([\d.]+-\d+)"),
        "valgrind": version(["valgrind", "--version"]),
    }


# ---- The table ----

def thousands(value):
    return f"{value:,.0f}"


def duration(nanoseconds):
    if nanoseconds < 1e6:
        return f"{nanoseconds / 1000:.2f} µs"
    return f"{nanoseconds / 1e6:.2f} ms"


def goal_text(ratio, goal):
    if goal is None:
        return "(no goal)"
    met = ratio <= goal if goal < 1 else ratio < goal
    target = {0.5: "<= 0.5", 1.0: "< 1", 0.1: "<= 0.1", 1.02: "< 1.02"}[goal]
    return f"{target}: **{'met' if met else 'missed'}**"


def markdown(results, info, stack, scratch):
    lines = []
    add = lines.append
    add(f"Measured {info['date']} on a {info['machine']}; {info['compiler']} `{info['flags']}`; glibc "
        f"{info['glibc']}, libcurl {info['libcurl']} (OpenSSL), cJSON {info['cjson']}, jsmn {info['jsmn']} "
        f"(Debian 12 packages); valgrind {info['valgrind']}. Instructions: callgrind, (I(2N) - I(N)) / N. "
        f"Times (secondary): the best of 7 rounds, wall clock and the process's CPU time, on a VM shared with "
        f"other work, so the wall clock wanders.")
    add("")
    add("| operation | implementation | instructions / op | heap allocations / op | best wall time / op "
        "| best CPU time / op |")
    add("| --- | --- | ---: | ---: | ---: | ---: |")
    for op, figures in results.items():
        what, implementation = op.split("/")
        count = thousands(figures["instructions"])
        if "instructions_again" in figures:
            count += f" ({thousands(figures['instructions_again'])} again)"
        add(f"| {what} | {implementation} | {count} | {figures['allocations']:g} | {duration(figures['best_ns'])} "
            f"| {duration(figures['best_cpu_ns'])} |")
    add("")
    add("| comparison (instructions) | ratio | goal |")
    add("| --- | ---: | --- |")
    for label, mine, theirs, goal in COMPARISONS:
        if mine in results and theirs in results:
            ratio = results[mine]["instructions"] / results[theirs]["instructions"]
            add(f"| {label} | {ratio:.3f} | {goal_text(ratio, goal)} |")
    if "exchange/stripe_connect_curl" in results and "exchange/bare_curl" in results:
        for key, clock in (("best_ns", "wall clock"), ("best_cpu_ns", "CPU time")):
            mine = results["exchange/stripe_connect_curl"][key]
            bare = results["exchange/bare_curl"][key]
            add(f"| exchange, kept alive vs bare libcurl, {clock} | {mine / bare:.3f} | (secondary) |")
    add("")
    add("| public function | peak stack (bytes) | input |")
    add("| --- | ---: | --- |")
    for row in stack:
        name = "(an empty function: the return address)" if row["function"] == "(empty_function)" else f"`{row['function']}`"
        add(f"| {name} | {row['bytes']} | {row['input']} |")
    add("")
    add("| call | scratch needed (bytes) | request | answer | how |")
    add("| --- | ---: | ---: | ---: | --- |")
    for row in scratch:
        add(f"| `{row['call']}` | {row['total']} | {row['request']} | {row['answer']} | {row['note']}"
            f"{'; exact: OK with it, fails with one byte less' if row['checked'] and 'bisection' not in row['note'] else ''} |")
    add("")
    add(NOTES)
    return "\n".join(lines) + "\n"


NOTES = """Notes:
- The exchange is the refresh_token grant, repeated (the stand-in's authorization codes are single-use;
  the refresh grant is the same POST /oauth/token with a form body and the platform key, and the same kind
  of answer). Library: `stripe_connect_refresh` through the curl adapter, 8 KiB scratch. Bare: only
  `curl_easy_perform` on the same handle and connection, its options (the same URL, headers and body)
  set once before the loop. Its count depends on how the kernel hands the answer over, so it is shown
  twice; it is not in make check's guard. `exchange_new_connection`: the same two, each exchange on a
  new TCP and TLS connection (`CURLOPT_FORBID_REUSE`), as a code exchange usually runs in production
  (one per connected account, long after the last connection to Stripe closed).
- On a kept-alive connection the bare POST is only libcurl's send and receive of one TLS record each
  way; the library also builds the request, parses and checks the answer and wipes its 8 KiB scratch,
  and the adapter sets its options and reads the Request-Id and Stripe-Should-Retry headers. That work
  is several times 2% of the bare POST, so the 2% goal holds only where the connection is new.
- The exchange's wall clock is about 45 ms for both, nearly all of it a delayed-ACK stall: the stand-in
  writes its headers and its body in two sends, and Nagle holds the second until the client's delayed
  ACK (40 ms). It says nothing about either side; the CPU time does.
- callgrind counts every iteration of a `rep stos`/`rep movs` as one instruction: glibc's memset uses
  `rep stosb` above a few KiB, so the scratch wipe after each call counts one instruction per byte of
  `work_size` (8,192 here), far more than it costs on the hardware.
- The competitors get their best case: cJSON and jsmn copy into the same struct without zeroing it
  first, libcurl's URL API gets its "key=value" strings made in advance, its URL is not copied out.
  jsmn neither validates JSON fully (nor UTF-8) nor unescapes strings; the fixtures keep the seven
  fields free of escapes so that its output can be checked.
- Peak stack: measured by painting a thread's stack; the transport-using calls run against a stub
  transport (its few bytes included). Scratch: the request's size from the `*_request_build` size
  query (NULL, 0) plus the answer's, each checked (OK with exactly that `work_size`, a failure with
  one byte less)."""


def chart(results):
    """bench/chart.svg through gnuplot and bench/chart.gp; skipped when gnuplot is missing."""
    data = OUT / "ratios.dat"
    with open(data, "w") as file:
        file.write("# what against-what ratio goal met(1)/missed(0)/no-goal(2)\n")
        for label, mine, theirs, goal in COMPARISONS:
            if mine not in results or theirs not in results:
                continue
            ratio = results[mine]["instructions"] / results[theirs]["instructions"]
            met = 2 if goal is None else int(ratio <= goal if goal < 1 else ratio < goal)
            what, against = label.split(" vs ")
            file.write(f'"{what}" "vs {against}" {ratio:.4f} {goal if goal is not None else "NaN"} {met}\n')
    try:
        run(["gnuplot", "-e", f"datafile='{data}'; output='{ROOT / 'bench' / 'chart.svg'}'",
             str(ROOT / "bench" / "chart.gp")])
    except (OSError, RuntimeError) as problem:
        progress(f"no chart: {problem}")
        return False
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default=str(OUT / "bench"))
    parser.add_argument("--flags", default="-std=c99 -O2 -g")
    parser.add_argument("--no-exchange", action="store_true", help="skip the stand-in and the exchange")
    args = parser.parse_args()
    binary = str(Path(args.binary).resolve())
    OUT.mkdir(parents=True, exist_ok=True)

    check = run([binary, "check"], check=False)
    sys.stderr.write(check.stdout)
    if check.returncode != 0:
        progress("bench check failed: the implementations do not agree; no figures")
        return 1
    stack, scratch = memory_reports(binary)
    results = measure_ops(binary, IN_PROCESS)
    if not args.no_exchange:
        results.update(measure_exchange(binary))
    info = machine(args.flags)
    (OUT / "results.json").write_text(json.dumps({"machine": info, "results": results, "stack": stack,
                                                  "scratch": scratch}, indent=2) + "\n")
    table = markdown(results, info, stack, scratch)
    (ROOT / "bench" / "results.md").write_text("# Benchmark results\n\nWritten by `make bench` (bench/run.py); "
                                               "see the README's \"Benchmarks\".\n\n" + table)
    chart(results)
    print(table, end="")
    progress("wrote bench/results.md, bench/chart.svg and build/bench/results.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
