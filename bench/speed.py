"""Time orgsim's flagship step against its peers and the memory-traffic floor, side by side.

On the same generated organisation, per size:

- engine: orgsim's engine as sweeps run it (``simulator.engine.Engine``, no Mesa;
  ``mechanism.name = "social_learning"``, default parameters), one run (R = 1) for the full
  horizon on all cores (from 10,000 people each phase of a week runs on every core; the same
  run on one thread is timed too, column ``1 thread``), and at small sizes also a batch of
  R replications in one model (``--batch``; per agent-step = time / (R * n * steps));
- mesa: the same rule written as an idiomatic Mesa 3.5 model (bench/mesa_social_learning.py:
  one agent per person, per-phase ``agents.do`` passes, Python lists of neighbours);
- ndlib: NDlib's ``ThresholdModel`` (Granovetter's fractional threshold, the closest classic
  rule NDlib has) on the undirected observation network, thresholds drawn as the people's
  (normal, clipped to [0, 1], innovators at 0), the modeling leaders as the initial adopters,
  if ndlib is installed (``pip install -e '.[bench]'``);
- floor: the bytes one engine step must move (state arrays read and written once, the CSR
  arrays read once; bench/floor.py) divided by the measured single-core memory bandwidth.

The peers are slow at large sizes, so above ``--peer-full-up-to`` people they run only
``--peer-steps`` steps; their ratios then use the engine's time over the same first steps
(the engine's step gets dearer as more accounts become active, so comparing with its mean over
the horizon would flatter the peers). Set-up (building the models) is excluded from the
per-step times and printed separately. A tool whose run takes less than half a second is
timed again until half a second has gone by (each tool alike, at most 20 runs), and its
fastest run is kept. With ``--rounds N`` the engine and the peers are timed in turn N times
per size and each figure's best round is kept, so that a busy moment of a shared machine,
which slows one tool's single long run, moves the ratios less. With 1M people in
``--sizes`` the peak RSS of one 1M engine run is measured in a fresh process
(bench/memory.py).

Usage: ``python bench/speed.py [--quick] [--sizes 1000 10000 100000 1000000] [--steps 52]
[--rounds 1]``.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.metadata import version

import memory
import numpy as np
from floor import measure_bandwidth, step_bytes
from mesa_social_learning import SocialLearningModel

from simulator import Params, build_org
from simulator.attention import observation
from simulator.engine import Engine
from simulator.mechanisms import social_learning
from simulator.orgchart import Org

SEED = 1
REPEAT_FOR = 0.5
"""Seconds: a run shorter than this is timed again (each tool alike), the fastest kept."""


@dataclass
class Row:
    """Timings of one size (seconds; per agent-step in microseconds)."""

    people: int
    steps: int
    peer_steps: int
    engine_us: float = float("nan")  # R = 1, all steps
    engine_first_us: float = float("nan")  # R = 1, the first peer_steps steps
    engine_setup: float = float("nan")
    engine_share: float = float("nan")
    single_us: float = float("nan")  # R = 1, all steps, one thread (large sizes only)
    single_first_us: float = float("nan")
    batch: int = 0
    batch_us: float = float("nan")
    batch_floor_us: float = float("nan")
    floor_us: float = float("nan")
    floor_mb: float = float("nan")
    peers: dict[str, tuple[float, float, float]] = field(default_factory=dict)  # us, setup, share


def params_for(people: int, steps: int) -> Params:
    return Params().with_updates(
        {"org.size": people, "steps": steps, "mechanism.name": "social_learning"}
    )


def per_us(seconds: float, people: int, steps: int, replications: int = 1) -> float:
    return seconds / (replications * people * steps) * 1e6


def warm_up() -> float:
    """Compile (or load) the engine's kernel on a tiny model, outside every timing."""
    start = time.perf_counter()
    tiny = params_for(60, 2)
    Engine(tiny, rng=0).run()
    Engine(tiny, rng=[0, 1]).run()
    threaded_from = social_learning.THREADED_FROM
    social_learning.THREADED_FROM = 0  # the weeks split over threads, too
    try:
        Engine(tiny, rng=0).run()
    finally:
        social_learning.THREADED_FROM = threaded_from
    return time.perf_counter() - start


def engine_times(row: Row, org: Org, params: Params) -> tuple[float, float, float, Engine]:
    """The engine's fastest set-up, first ``peer_steps`` steps and remaining steps (seconds)
    over :func:`repeats`, and the last model run."""
    best = (np.inf, np.inf, np.inf)  # set-up, first steps, all steps: each the fastest
    for _ in repeats():
        start = time.perf_counter()
        model = Engine(params, rng=SEED, org=org)
        setup = time.perf_counter() - start
        start = time.perf_counter()
        model.run(row.peer_steps)
        first = time.perf_counter() - start
        model.run(row.steps - row.peer_steps)
        rest = time.perf_counter() - start
        best = (min(best[0], setup), min(best[1], first), min(best[2], rest))
    return *best, model


def time_engine(row: Row, org: Org, params: Params, bandwidth: float) -> None:
    """The engine's figures of ``row``, each the fastest of this and earlier rounds; on one
    thread too where the run uses several."""
    if row.people >= social_learning.THREADED_FROM and social_learning.threads() > 1:
        cores = social_learning.threads()
        social_learning.set_threads(1)
        try:
            _, first, rest, _ = engine_times(row, org, params)
        finally:
            social_learning.set_threads(cores)
        row.single_us = np.fmin(row.single_us, per_us(rest, row.people, row.steps))
        row.single_first_us = np.fmin(
            row.single_first_us, per_us(first, row.people, row.peer_steps)
        )
    setup, first, rest, model = engine_times(row, org, params)
    row.engine_setup = np.fmin(row.engine_setup, setup)
    row.engine_first_us = np.fmin(row.engine_first_us, per_us(first, row.people, row.peer_steps))
    row.engine_us = np.fmin(row.engine_us, per_us(rest, row.people, row.steps))
    row.engine_share = model.poster_share()
    moved = step_bytes(model)["total"]
    row.floor_mb = moved / 1e6
    row.floor_us = per_us(moved / bandwidth, row.people, 1)


def time_batch(row: Row, org: Org, params: Params, batch: int, bandwidth: float) -> None:
    model = Engine(params, rng=list(range(SEED, SEED + batch)), org=org)
    start = time.perf_counter()
    model.run()
    seconds = time.perf_counter() - start
    row.batch = batch
    row.batch_us = np.fmin(row.batch_us, per_us(seconds, row.people, row.steps, batch))
    row.batch_floor_us = per_us(step_bytes(model)["total"] / bandwidth, row.people, 1, batch)


def repeats(budget: float = REPEAT_FOR) -> Iterator[int]:
    """Run counts for timing something short: again until ``budget`` seconds have gone by
    (at least once, at most 20 times); the callers keep each figure's fastest run."""
    start = time.perf_counter()
    for k in range(20):
        if k and time.perf_counter() - start >= budget:
            return
        yield k


def time_mesa(row: Row, org: Org, params: Params) -> None:
    setup = seconds = np.inf
    for _ in repeats():
        start = time.perf_counter()
        model = SocialLearningModel(org, params, rng=SEED)
        setup = min(setup, time.perf_counter() - start)
        start = time.perf_counter()
        for _ in range(row.peer_steps):
            model.step()
        seconds = min(seconds, time.perf_counter() - start)
    keep_best(
        row, "mesa", (per_us(seconds, row.people, row.peer_steps), setup, model.poster_share())
    )


def keep_best(row: Row, peer: str, figures: tuple[float, float, float]) -> None:
    """A peer's figures (µs per agent-step, set-up, share), the fastest of the rounds."""
    us, setup, share = figures
    if peer in row.peers:
        us, setup = min(us, row.peers[peer][0]), min(setup, row.peers[peer][1])
    row.peers[peer] = (us, setup, share)


def time_ndlib(row: Row, org: Org, params: Params) -> None:
    try:
        import ndlib.models.epidemics as ep
        from ndlib.models.ModelConfig import Configuration
    except ImportError:
        return
    import networkx as nx

    setup = seconds = np.inf
    for _ in repeats():
        start = time.perf_counter()
        graph = nx.from_scipy_sparse_array(observation(org))  # undirected: ThresholdModel's
        model = ep.ThresholdModel(graph, seed=SEED)
        config = Configuration()
        people = params.people  # thresholds drawn as the people's: normal, clipped, innovators 0
        rng = np.random.default_rng(SEED)
        threshold = np.clip(rng.normal(people.threshold_mean, people.threshold_sd, org.n), 0, 1)
        threshold[rng.random(org.n) < people.innovators] = 0.0
        leaders = np.flatnonzero(org.is_leader & (org.level < params.leaders.levels))
        config.add_model_initial_configuration("Infected", leaders.tolist())  # modeling leaders
        for node, phi in enumerate(threshold.tolist()):
            config.add_node_configuration("threshold", node, phi)
        model.set_initial_status(config)
        model.iteration(node_status=False)  # iteration 0 only reports the initial status
        setup = min(setup, time.perf_counter() - start)
        start = time.perf_counter()
        for _ in range(row.peer_steps):
            last = model.iteration(node_status=False)
        seconds = min(seconds, time.perf_counter() - start)
    share = last["node_count"][1] / org.n
    keep_best(row, "ndlib", (per_us(seconds, row.people, row.peer_steps), setup, share))


def fmt(x: float, width: int = 9, digits: int = 3) -> str:
    return f"{'-':>{width}}" if not np.isfinite(x) else f"{x:>{width}.{digits}f}"


def ratio(a: float, b: float) -> str:
    return f"{'-':>9}" if not (np.isfinite(a) and np.isfinite(b)) else f"{a / b:>9.1f}"


def report(rows: list[Row]) -> None:
    print()
    print("µs per agent-step (lower is better); peers timed over 'peer' steps, their ratios")
    print("against the engine over the same first steps; floor = bytes moved / bandwidth")
    head = (
        f"{'people':>9} {'R':>3} {'steps':>5} {'peer':>4} {'engine':>9} {'mesa':>9} "
        f"{'ndlib':>9} {'floor':>9} {'mesa/eng':>9} {'ndlib/eng':>9} {'eng/floor':>9} "
        f"{'1 thread':>9} {'mesa/1thr':>9}"
    )
    print(head)
    print("-" * len(head))
    for row in rows:
        if row.batch:
            print(
                f"{row.people:>9,} {row.batch:>3} {row.steps:>5} {'':>4} {fmt(row.batch_us)} "
                f"{'':>9} {'':>9} {fmt(row.batch_floor_us, digits=4)} {'':>9} {'':>9} "
                f"{ratio(row.batch_us, row.batch_floor_us)}"
            )
        mesa = row.peers.get("mesa", (float("nan"),) * 3)[0]
        nd = row.peers.get("ndlib", (float("nan"),) * 3)[0]
        print(
            f"{row.people:>9,} {1:>3} {row.steps:>5} {row.peer_steps:>4} {fmt(row.engine_us)} "
            f"{fmt(mesa)} {fmt(nd)} {fmt(row.floor_us, digits=4)} "
            f"{ratio(mesa, row.engine_first_us)} {ratio(nd, row.engine_first_us)} "
            f"{ratio(row.engine_us, row.floor_us)} {fmt(row.single_us)} "
            f"{ratio(mesa, row.single_first_us)}"
        )
    print(
        f"(engine: {social_learning.threads()} thread(s) from "
        f"{social_learning.THREADED_FROM:,} people; '1 thread': the same run on one)"
    )
    print()
    print("set-up seconds (excluded above), engine over the peers' first steps, final shares")
    print(
        f"{'people':>9} {'engine':>8} {'mesa':>8} {'ndlib':>8} {'eng first':>9} "
        f"{'MB/step':>8} {'eng share':>9} {'mesa shr':>9} {'ndlib shr':>9}"
    )
    missing = (float("nan"),) * 3
    for row in rows:
        by_mesa, by_ndlib = row.peers.get("mesa", missing), row.peers.get("ndlib", missing)
        print(
            f"{row.people:>9,} {fmt(row.engine_setup, 8, 2)} {fmt(by_mesa[1], 8, 2)} "
            f"{fmt(by_ndlib[1], 8, 2)} {fmt(row.engine_first_us)} {fmt(row.floor_mb, 8, 1)} "
            f"{fmt(row.engine_share)} {fmt(by_mesa[2])} {fmt(by_ndlib[2])}"
        )
    print(
        "(shares: engine after all steps, the peers after their 'peer' steps; ndlib runs a "
        "different, simpler rule)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000, 1_000_000])
    parser.add_argument("--quick", action="store_true", help="sizes 1,000 and 10,000 only")
    parser.add_argument("--steps", type=int, default=52, help="engine steps (the horizon)")
    parser.add_argument("--peer-steps", type=int, default=3, help="peer steps at large sizes")
    parser.add_argument(
        "--peer-full-up-to", type=int, default=10_000, help="peers run all steps up to this size"
    )
    parser.add_argument("--batch", type=int, default=64, help="engine batch at sizes <= 1,000")
    parser.add_argument("--no-mesa", action="store_true")
    parser.add_argument("--no-ndlib", action="store_true")
    parser.add_argument("--gib", type=float, default=1.0, help="array size for the bandwidth")
    parser.add_argument("--no-rss", action="store_true", help="skip the 1M peak-RSS run")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="time engine and peers in turn this many times per size, each figure's best kept",
    )
    args = parser.parse_args()
    sizes = [s for s in args.sizes if s <= 10_000] if args.quick else args.sizes
    if args.quick and not sizes:
        sizes = [1_000, 10_000]

    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, numpy {version('numpy')}, numba {version('numba')}, "
        f"mesa {version('mesa')}"
    )
    bw = measure_bandwidth(int(args.gib * (1 << 30)))
    print(
        f"memory bandwidth, one core: copy {bw.copy / 1e9:.1f} GB/s (read + write), sum "
        f"{bw.read / 1e9:.1f} GB/s (read); the floor uses {bw.best / 1e9:.1f} GB/s"
    )
    print(f"engine warm-up (kernel compile or cache load): {warm_up():.1f} s")
    print(
        f"social_learning, default parameters (leaders model), {args.steps} steps; ndlib: "
        "ThresholdModel, thresholds as the people's (innovators 0), modeling leaders seeded"
    )
    rows = []
    for people in sizes:
        full = people <= args.peer_full_up_to
        row = Row(people, args.steps, args.steps if full else min(args.peer_steps, args.steps))
        params = params_for(people, args.steps)
        start = time.perf_counter()
        org = build_org(params.org, np.random.default_rng(SEED))
        print(f"{people:,} people: org built in {time.perf_counter() - start:.1f} s", flush=True)
        for _ in range(args.rounds):  # (in turn: a busy moment slows one round of each)
            time_engine(row, org, params, bw.best)
            if people <= 1_000 and args.batch > 1:
                time_batch(row, org, params, args.batch, bw.best)
            gc.collect()
            if not args.no_mesa:
                time_mesa(row, org, params)
                gc.collect()
            if not args.no_ndlib:
                time_ndlib(row, org, params)
                gc.collect()
        print(f"  done: {', '.join(['engine', *row.peers])}", flush=True)
        rows.append(row)
    report(rows)
    if 1_000_000 in sizes and not args.no_rss:
        print(f"\npeak RSS of one 1,000,000-person run ({args.steps} steps, own process):")
        for face, label in (("engine", "the engine alone"), ("mesa", "the Mesa face")):
            rss = memory.peak_rss(1_000_000, args.steps, face=face)
            print(
                f"  {label}: {rss['peak_mib']:,.0f} MiB "
                f"(after imports {rss['imports_mib']:,.0f} MiB)"
            )


if __name__ == "__main__":
    main()
