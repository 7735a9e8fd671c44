"""Runs per minute of the flagship run on all cores.

The flagship run: a 1,000-person organisation over 52 weeks, the two arms of
scenarios/modeling_vs_delegation.toml (``leaders.strategy = "model"`` and ``"delegate"``,
default parameters otherwise). Tasks go to a ``ProcessPoolExecutor`` (spawn context, one
worker per core); each task builds one organisation from its seed and runs a batch of R
replications of one arm on it in one ``Engine``, as sweeps run it (``--batch``, default 64),
arms alternating.
The same is then done with R = 1 per task, for comparison. A task's time includes building
its organisation and model; the workers' start-up (interpreter, imports, kernel load) is paid
by a warm-up round before the clock starts. Last, the flagship scenario itself
(``--scenario-replications`` per point and arm, default 350: its 1,400 runs) is swept by orgsim's
runner on the same warm workers, as ``orgsim sweep`` runs it: every replication on its own
organisation, per-step tables and outcomes written to Parquet by the parent.

Usage: ``python bench/throughput.py [--runs 4096] [--single-runs 512] [--batch 64]
[--scenario-replications 350]``.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ARMS = ("model", "delegate")
SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "modeling_vs_delegation.toml"
PEOPLE, STEPS = 1_000, 52


def task(arm: str, seed: int, replications: int) -> tuple[int, float, float]:
    """One organisation, one arm, a batch of runs: (runs, mean final poster share, seconds)."""
    import numpy as np

    from simulator import Params, build_org
    from simulator.engine import Engine

    start = time.perf_counter()
    params = Params().with_updates({"org.size": PEOPLE, "steps": STEPS, "leaders.strategy": arm})
    org = build_org(params.org, np.random.default_rng(seed))
    seeds = [seed * 1_000 + r for r in range(replications)]
    model = Engine(params, rng=seeds if replications > 1 else seeds[0], org=org)
    model.run()
    share = float((model.state.stage == 2).mean())
    return replications, share, time.perf_counter() - start


def warm(_: int) -> int:
    """Import the simulator and load the kernel in a worker."""
    task("model", 0, 2)
    task("model", 0, 1)
    return os.getpid()


def measure(pool: ProcessPoolExecutor, runs: int, batch: int, workers: int) -> dict[str, float]:
    tasks = max(1, -(-runs // batch))
    start = time.perf_counter()
    futures = [pool.submit(task, ARMS[k % 2], 1 + k, batch) for k in range(tasks)]
    results = [f.result() for f in futures]
    wall = time.perf_counter() - start
    done = sum(r[0] for r in results)
    shares = {
        arm: sum(r[0] * r[1] for k, r in enumerate(results) if ARMS[k % 2] == arm)
        / max(1, sum(r[0] for k, r in enumerate(results) if ARMS[k % 2] == arm))
        for arm in ARMS
    }
    return {
        "runs": done,
        "tasks": tasks,
        "wall": wall,
        "per_minute": done / wall * 60,
        "per_second_core": done / wall / workers,
        "task_seconds": sum(r[2] for r in results),
        **{f"share_{arm}": share for arm, share in shares.items()},
    }


def measure_sweep(pool: ProcessPoolExecutor, replications: int) -> dict[str, float]:
    """The flagship scenario itself, swept by orgsim's runner on the warm workers: every
    replication on its own organisation, per-step tables and outcomes written to Parquet."""
    import tempfile
    import tomllib

    from simulator.scenario import parse_scenario
    from simulator.sweep import sweep

    data = tomllib.loads(SCENARIO.read_text())
    data["scenario"]["replications"] = replications
    _, plan = parse_scenario(data)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        summary = sweep(plan, Path(tmp) / "out", executor=pool)
        wall = time.perf_counter() - start
    return {"runs": summary.done, "wall": wall, "per_minute": summary.done / wall * 60}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=4096, help="runs in the batched mode")
    parser.add_argument("--single-runs", type=int, default=512, help="runs with R = 1 per task")
    parser.add_argument("--batch", type=int, default=64, help="replications per task (R)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--scenario-replications",
        type=int,
        default=350,
        help="replications per point and arm of the flagship scenario swept at the end",
    )
    args = parser.parse_args()
    workers = args.workers
    context = mp.get_context("spawn")
    print(
        f"flagship run: {PEOPLE:,} people, {STEPS} weeks, arms {' / '.join(ARMS)}; "
        f"{workers} worker process(es) (spawn), os.cpu_count() = {os.cpu_count()}"
    )
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        start = time.perf_counter()
        pids = set(pool.map(warm, range(2 * workers)))
        print(f"warm-up: {len(pids)} worker(s) started in {time.perf_counter() - start:.1f} s")
        head = (
            f"{'R/task':>6} {'tasks':>6} {'runs':>7} {'wall s':>7} {'runs/min':>9} "
            f"{'runs/s/core':>11} {'ms/run (1 core)':>15} {'model':>6} {'deleg.':>6}"
        )
        print(head)
        for batch, runs in ((args.batch, args.runs), (1, args.single_runs)):
            row = measure(pool, runs, batch, workers)
            print(
                f"{batch:>6} {row['tasks']:>6} {row['runs']:>7,} {row['wall']:>7.1f} "
                f"{row['per_minute']:>9,.0f} {row['per_second_core']:>11.1f} "
                f"{row['task_seconds'] / row['runs'] * 1e3:>15.2f} "
                f"{row['share_model']:>6.3f} {row['share_delegate']:>6.3f}",
                flush=True,
            )
        row = measure_sweep(pool, args.scenario_replications)
        print(
            f"the flagship scenario swept (own organisation per replication, results written "
            f"to Parquet): {row['runs']:,.0f} runs in {row['wall']:.1f} s, "
            f"{row['per_minute']:,.0f} runs/min"
        )
    print("(model / deleg.: mean final poster share of the runs of each arm)")


if __name__ == "__main__":
    main()
