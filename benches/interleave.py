#!/usr/bin/env python3
"""Times two commands run by turns, round after round (A B, then B A, ...), so that a change in
the machine's speed during the run (other work, a noisy neighbour) falls on both alike.

    python3 benches/interleave.py --runs 10 [--warmup 1] [--prepare CMD] -- COMMAND-A COMMAND-B

Prints, in hyperfine's JSON shape, {"results": [{"command": "old" | "new", "times": [...],
"mean", "median", "stddev", "min", "max"}]}: the first command is "old", the second "new". A
command that fails stops the run (exit 1). `--prepare` runs before every timed run of either.
Standard library only."""
import argparse
import json
import statistics
import subprocess
import sys
import time


def run(cmd: str) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{cmd}: exit {done.returncode}\n{done.stderr.decode(errors='replace')[-2000:]}")
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=0)
    ap.add_argument("--prepare", default="")
    ap.add_argument("commands", nargs=2)
    a = ap.parse_args()
    names = ["old", "new"]
    times = {n: [] for n in names}
    for i in range(a.warmup + a.runs):
        order = list(zip(names, a.commands))
        if i % 2:
            order.reverse()
        for name, cmd in order:
            if a.prepare:
                subprocess.run(a.prepare, shell=True, check=True)
            t = run(cmd)
            if i >= a.warmup:
                times[name].append(t)
    results = []
    for name in names:
        t = times[name]
        results.append({"command": name, "times": t, "mean": statistics.mean(t), "median": statistics.median(t),
                        "stddev": statistics.stdev(t) if len(t) > 1 else 0.0, "min": min(t), "max": max(t)})
    json.dump({"results": results}, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
