"""Overhead of the Dask path against local processes, for many small runs.

One scenario of 1,000 small runs (2 arms x 500 replications of a 100-person organisation
over 12 weeks, each run a few milliseconds, so that per-task overhead shows) is swept into a
fresh results folder four ways on the same machine, in one script run:

1. local processes (``sweep(plan, out, workers=2)``, tasks sized by default);
2. a Dask ``LocalCluster`` of 2 single-threaded worker processes on 127.0.0.1, reached through
   its scheduler address as a remote cluster would be (``sweep(..., cluster=address)``:
   connection, version check, tasks sized for a cluster);
3. the same cluster with one pair per task (no batching), to show what batching saves;
4. local processes with one pair per task.

Every sweep writes its Parquet dataset and manifest, as ``orgsim sweep`` does. The times
include starting the local process pool (paths 1 and 4) and connecting to the cluster (2
and 3); starting the cluster itself is timed apart (a real cluster is already running). All
four folders must hold identical results (checked). No timing is asserted anywhere.

Usage: ``python bench/dask_overhead.py [--reps 500] [--people 100] [--steps 12]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd

from simulator.cluster import local_cluster
from simulator.results import load
from simulator.scenario import Plan, parse_scenario
from simulator.sweep import run, sweep


def small_plan(reps: int, people: int, steps: int) -> Plan:
    data = {
        "scenario": {"name": "dask_overhead", "seed": 1, "replications": reps, "steps": steps},
        "params": {"org": {"size": people}},
        "arms": {
            "model": {"leaders": {"strategy": "model"}},
            "delegate": {"leaders": {"strategy": "delegate"}},
        },
    }
    return parse_scenario(data, source="bench")[1]


def outcomes(path: Path) -> pd.DataFrame:
    return load(path).outcomes.drop(columns=["seconds", "attempt"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=500, help="replications per arm")
    parser.add_argument("--people", type=int, default=100)
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    plan = small_plan(args.reps, args.people, args.steps)
    workers = args.workers
    start = time.perf_counter()
    run(next(plan.runs()))  # compile or load the kernels once (numba's cache on disk)
    start = time.perf_counter()
    for spec in list(plan.runs())[:50]:
        run(spec)
    one = (time.perf_counter() - start) / 50
    print(
        f"{plan.run_count:,} runs of {args.people} people x {args.steps} weeks, "
        f"{one * 1000:.1f} ms a run in this process; {workers} workers\n"
    )
    times: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)

        def timed(name: str, **options: object) -> None:
            begin = time.perf_counter()
            summary = sweep(plan, root / name.replace(" ", "_"), **options)  # type: ignore[arg-type]
            times[name] = time.perf_counter() - begin
            assert summary.done == plan.run_count and summary.failed == 0, summary
            print(f"  {name:<40} {times[name]:6.2f} s  ({summary.executor})", flush=True)

        timed("processes", workers=workers)
        begin = time.perf_counter()
        with local_cluster(workers) as pool:
            started = time.perf_counter() - begin
            print(f"  {'(start the LocalCluster)':<40} {started:6.2f} s", flush=True)
            timed("dask", cluster=pool.address)
            timed("dask, one pair per task", cluster=pool.address, pairs_per_task=1)
        timed("processes, one pair per task", workers=workers, pairs_per_task=1)
        reference = outcomes(root / "processes")
        for name in times:
            pd.testing.assert_frame_equal(
                outcomes(root / name.replace(" ", "_")), reference, check_exact=True
            )
    base = times["processes"]
    print("\nidentical results in all four folders\n")
    print(f"{'path':<40} {'seconds':>8} {'runs/s':>8} {'x processes':>12}")
    for name, seconds in times.items():
        print(f"{name:<40} {seconds:8.2f} {plan.run_count / seconds:8.0f} {seconds / base:12.2f}")
    print(f"{'dask incl. starting the cluster':<40} {times['dask'] + started:8.2f}")


if __name__ == "__main__":
    main()
