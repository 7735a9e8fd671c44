"""Where a swept flagship run's time goes: its set-up, piece by piece, and its 52 weeks.

The flagship scenario (scenarios/modeling_vs_delegation.toml) sweeps every replication on its
own organisation, so each run builds its organisation (once for the two arms that share it),
its strategy assignment, its network (attention and endorsement weights), the kernel's layout
of them and its people before its 52 weeks run; a batch of replications on one organisation
pays that once. This script runs the scenario's first runs as a sweep worker runs them
(``simulator.sweep_runs.run_task``, four runs a task: two replications of each arm), on one core,
and times each piece by wrapping the functions the engine calls, so what it times is the
engine's own sequence, not a copy of it. Kernels are loaded (or compiled) by a warm-up task
before the clock starts.

Pieces (ms a run, averaged over all runs):

- ``organisation``: ``engine.organisation`` (the org chart, its informal ties and follows);
- ``assignment``: ``strategies.assign`` (delegates, their followers) and ``Strategies``;
- ``network``: ``Context.build`` (attention, endorsement and observer counts; shared or taken
  in part from the other arm's, see ``Context.build``'s ``like``);
- ``kernel layout``: ``mechanisms.make`` (the blocked layout the kernel reads);
- ``people``: ``state.init_state`` (attitudes, know-how, stages);
- ``weeks``: ``Engine.run`` (the 52 weeks, recorded);
- ``rest``: the remainder of ``run_task``: the recorder and its first record, the random
  streams, and the result rows (outcomes, per-week series).

Usage: ``python bench/setup.py [--runs 800] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import itertools
import os
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("ORGSIM_THREADS", "1")

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "modeling_vs_delegation.toml"


def timed(spent: dict[str, float], piece: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """``function``, adding its wall time to ``spent[piece]`` on each call."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[piece] += time.perf_counter() - start

    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=800, help="the scenario's first runs")
    parser.add_argument("--repeat", type=int, default=3, help="times the runs are made")
    args = parser.parse_args()

    from simulator import engine, sweep
    from simulator.mechanisms import Context
    from simulator.scenario import load_scenario

    _, plan = load_scenario(SCENARIO)
    specs = list(itertools.islice(plan.runs(), args.runs))
    tasks = [specs[k : k + 4] for k in range(0, len(specs), 4)]
    sweep.run_task(tasks[0])  # kernels loaded or compiled

    spent: dict[str, float] = defaultdict(float)
    engine.organisation = timed(spent, "organisation", engine.organisation)  # (the sweep's)
    engine.assign = timed(spent, "assignment", engine.assign)
    engine.Strategies = timed(spent, "assignment", engine.Strategies)  # type: ignore[assignment,misc]
    build = Context.build.__func__  # type: ignore[attr-defined]
    Context.build = classmethod(timed(spent, "network", build))  # type: ignore[assignment]
    engine.make = timed(spent, "kernel layout", engine.make)
    engine.init_state = timed(spent, "people", engine.init_state)
    engine.Engine.run = timed(spent, "weeks", engine.Engine.run)  # type: ignore[method-assign]

    start = time.perf_counter()
    for _ in range(args.repeat):
        for task in tasks:
            failed = [r.error for r in sweep.run_task(task) if r.error is not None]
            if failed:  # (a run's error is returned, not raised: the times would be wrong)
                raise SystemExit(f"a run failed: {failed[0]}")
    total = time.perf_counter() - start
    runs = args.repeat * len(specs)
    spent["rest"] = total - sum(spent.values())
    print(f"{runs:,} flagship runs as a sweep worker makes them, one core: ms a run")
    setup = 0.0
    for piece in ("organisation", "assignment", "network", "kernel layout", "people"):
        print(f"  {piece:<14} {spent[piece] / runs * 1e3:6.3f}")
        setup += spent[piece]
    print(f"  {'set-up':<14} {setup / runs * 1e3:6.3f}")
    print(f"  {'weeks':<14} {spent['weeks'] / runs * 1e3:6.3f}")
    print(f"  {'rest':<14} {spent['rest'] / runs * 1e3:6.3f}")
    print(f"  {'all':<14} {total / runs * 1e3:6.3f}  ({60 * runs / total:,.0f} runs/min a core)")


if __name__ == "__main__":
    main()
