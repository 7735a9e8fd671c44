"""Peak memory of a sweep does not grow with the number of runs.

Runs the same tiny scenario (30 people, 4 weeks) with 1,000 and 10,000 runs, each sweep in
a fresh process with one worker (in-process, so the peak includes the runs themselves), and
prints the peak resident memory of each and their ratio. Results are streamed to disk as
they finish; the parent keeps only counters and the set of finished run keys.

Usage: ``python bench/memory.py [--runs 1000 10000]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time

CHILD = r"""
import resource, sys, json, time
from simulator.scenario import parse_scenario
from simulator.sweep import sweep
runs, out = int(sys.argv[1]), sys.argv[2]
data = {
    "scenario": {"name": "memory", "seed": 1, "replications": runs // 2, "steps": 4},
    "params": {"org": {"size": 30}},
    "arms": {"model": {"leaders": {"strategy": "model"}},
             "delegate": {"leaders": {"strategy": "delegate"}}},
}
_, plan = parse_scenario(data)
start = time.perf_counter()
summary = sweep(plan, out, workers=1)
peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"runs": plan.run_count, "done": summary.done, "peak_mib": peak_kib / 1024,
                  "seconds": time.perf_counter() - start}))
"""


def measure(runs: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        result = subprocess.run(
            [sys.executable, "-c", CHILD, str(runs), f"{tmp}/out"],
            capture_output=True,
            text=True,
            check=True,
        )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, nargs="+", default=[1_000, 10_000])
    args = parser.parse_args()
    print(f"{'runs':>8} {'peak MiB':>9} {'seconds':>8} {'runs/s':>7}")
    rows = []
    for runs in args.runs:
        start = time.perf_counter()
        row = measure(runs)
        rows.append(row)
        print(
            f"{row['runs']:>8,} {row['peak_mib']:>9.1f} {row['seconds']:>8.1f} "
            f"{row['runs'] / row['seconds']:>7.0f}   (wall {time.perf_counter() - start:.0f} s)"
        )
    if len(rows) > 1:
        ratio = rows[-1]["peak_mib"] / rows[0]["peak_mib"]
        grow = rows[-1]["runs"] / rows[0]["runs"]
        print(f"peak memory x{ratio:.2f} for x{grow:.0f} runs")


if __name__ == "__main__":
    main()
