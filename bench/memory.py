"""Peak memory: of a sweep (flat in the number of runs), or of one large run.

Sweep mode (the default): runs the same tiny scenario (30 people, 4 weeks) with 1,000 and
10,000 runs, each sweep in a fresh process with one worker (in-process, so the peak includes
the runs themselves), and prints the peak resident memory of each and their ratio. Results are
streamed to disk as they finish; the parent keeps only counters and the set of finished run
keys.

Run mode (``--people N``): one ``social_learning`` run of N people (default parameters,
``--replications R`` as one batch), twice, each in a fresh process: by the engine alone
(:class:`simulator.engine.Engine`, which imports neither Mesa nor pandas) and through the Mesa
face (``OrgModel`` without agents); prints the resident memory after the imports, after
building the organisation and the model, the peak over the run, and the peak after its
outcomes too (the process's own high-water mark, ``VmHWM``: ``ru_maxrss`` would include the
parent's memory, which Linux carries over across fork and exec).

Usage: ``python bench/memory.py [--runs 1000 10000]`` or
``python bench/memory.py --people 1000000 --steps 52 [--replications 1]``.
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


RUN_CHILD = r"""
import json, sys, time
import numpy as np
def status_mib(key):
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork + exec
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")
def rss_mib():
    return status_mib("VmRSS")
people, steps, R, face = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
if face == "mesa":
    from simulator.model import OrgModel as Run
else:
    from simulator.engine import Engine as Run
from simulator import Params, build_org
from simulator.metrics import outcome_columns
imports = rss_mib()
params = Params().with_updates(
    {"org.size": people, "steps": steps, "mechanism.name": "social_learning"}
)
start = time.perf_counter()
org = build_org(params.org, np.random.default_rng(1))
kwargs = {"agents": False} if face == "mesa" else {}
model = Run(params, rng=list(range(R)) if R > 1 else 1, org=org, **kwargs)
built, setup = rss_mib(), time.perf_counter() - start
start = time.perf_counter()
model.run()
run_peak = status_mib("VmHWM")
outcome_columns(model.recorder)  # a run's outcomes count towards its peak
print(json.dumps({"people": people, "steps": steps, "replications": R, "face": face,
                  "run_peak_mib": run_peak,
                  "imports_mib": imports, "built_mib": built, "peak_mib": status_mib("VmHWM"),
                  "setup_s": setup, "run_s": time.perf_counter() - start,
                  "poster_share": model.poster_share()}))
"""


def peak_rss(
    people: int, steps: int, replications: int = 1, face: str = "engine"
) -> dict[str, float]:
    """Peak resident memory of one run in a fresh process (see the module docstring):
    ``face`` "engine" (:class:`simulator.engine.Engine`) or "mesa" (``OrgModel``)."""
    args = [str(people), str(steps), str(replications), face]
    result = subprocess.run(
        [sys.executable, "-c", RUN_CHILD, *args], capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_mode(people: int, steps: int, replications: int) -> None:
    for face in ("engine", "mesa"):
        row = peak_rss(people, steps, replications, face)
        print(
            f"{'the engine alone' if face == 'engine' else 'through the Mesa face (OrgModel)'}: "
            f"{row['people']:,} people x {row['replications']} replication(s), {row['steps']} "
            f"steps: peak RSS {row['peak_mib']:,.0f} MiB (after imports "
            f"{row['imports_mib']:,.0f} MiB, after building org and model "
            f"{row['built_mib']:,.0f} MiB, over the run {row['run_peak_mib']:,.0f} MiB, then "
            "the outcomes); set-up "
            f"{row['setup_s']:.1f} s, run {row['run_s']:.1f} s, final poster share "
            f"{row['poster_share']:.3f}"
        )


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
    parser.add_argument("--people", type=int, help="run mode: peak RSS of one run of N people")
    parser.add_argument("--steps", type=int, default=52, help="run mode: steps")
    parser.add_argument("--replications", type=int, default=1, help="run mode: batch size")
    args = parser.parse_args()
    if args.people:
        run_mode(args.people, args.steps, args.replications)
        return
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
