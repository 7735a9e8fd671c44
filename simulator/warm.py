"""Compile the simulation kernels ahead of their first use: ``orgsim warm``.

numba compiles orgsim's kernels the first time a process needs them, for this machine's
processor, and caches the machine code on disk; later processes load it in well under a
second. A first run after installing (or after the code changed) therefore waits for the
compiler, about half a minute for a single run and more for the other paths below
(``bench/compile.py``). ``warm`` pays that wait up front, before a workshop, a notebook
session or a sweep on a cluster node, and on several cores at once: each path runs a tiny
model that takes it, the paths in separate processes where there are cores for them.

The cache lies beside the package (its ``__pycache__`` folders), or in numba's cache folder
of the user where the package's folder is read-only, or in ``NUMBA_CACHE_DIR`` when set: set
it to a shared folder for a cluster whose nodes share a processor model.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass

from simulator.params import Params


def _sizes() -> tuple[int, int]:
    """The engine's size thresholds: replications that learn across each other
    (``ACROSS_FROM``), people whose weeks run on all cores (``THREADED_FROM``). Read when
    needed: importing the engine takes most of a second, which ``orgsim --help`` need not
    wait for."""
    from simulator.mechanisms.social_learning import ACROSS_FROM, THREADED_FROM

    return ACROSS_FROM, THREADED_FROM


def _engine(people: int, seeds: Sequence[int], steps: int) -> None:
    from simulator.engine import Engine

    params = Params().with_updates({"org.size": people, "steps": steps})
    Engine(params, rng=list(seeds)).run()


@dataclass(frozen=True)
class KernelPath:
    """A way through the kernels, and a tiny model that takes it."""

    name: str
    template: str  # what it is for, with {across} and {threaded} for the engine's sizes
    run: Callable[[], None]

    @property
    def what(self) -> str:
        """What the path is for, the sizes filled in."""
        across, threaded = _sizes()
        return self.template.format(across=across, threaded=f"{threaded:,}")


PATHS = {
    p.name: p
    for p in (
        KernelPath(
            "single",
            "one run at a time, under {threaded} people (run, compare, sweeps, notebooks, the app)",
            lambda: _engine(60, [1], 3),
        ),
        KernelPath(
            "batch",
            "{across} or more replications of one organisation at once (sweeps with 'orgs' set)",
            lambda: _engine(60, range(_sizes()[0]), 3),
        ),
        KernelPath(
            "large",
            "{threaded} people or more, each week's phases on all cores",
            lambda: _engine(_sizes()[1], [1], 1),
        ),
    )
}
"""The kernel paths, by name: each compiles what the others do not (and what they share)."""

GROUPS = (("single", "batch"), ("large",))
"""The paths run in one process together: ``batch`` after ``single``, whose kernels it
mostly shares, so that two processes never compile two versions of one kernel at once."""


def where() -> str:
    """Where numba keeps the compiled kernels (see the module docstring)."""
    folder = os.environ.get("NUMBA_CACHE_DIR")
    if folder:
        return f"NUMBA_CACHE_DIR ({folder})"
    package = os.path.dirname(os.path.abspath(__file__))
    return f"the package's __pycache__ folders under {package} (if writable)"


def run_paths(names: Sequence[str]) -> list[tuple[str, float]]:
    """Run the paths ``names`` in this process, in order; each one's seconds."""
    done = []
    for name in names:
        start = time.perf_counter()
        PATHS[name].run()
        done.append((name, time.perf_counter() - start))
    return done


def warm(
    names: Iterable[str] | None = None,
    jobs: int | None = None,
    report: Callable[[str, float], None] | None = None,
) -> dict[str, float]:
    """Compile (or load) the kernels of the paths ``names`` (default: all of :data:`PATHS`)
    on up to ``jobs`` processes (default: one per core; 1: in this process). ``report(name,
    seconds)`` is called as each path finishes. Returns each path's seconds."""
    chosen = set(PATHS if names is None else names)
    unknown = chosen - set(PATHS)
    if unknown:
        raise ValueError(f"unknown kernel paths {sorted(unknown)}; known: {list(PATHS)}")
    groups = [[n for n in group if n in chosen] for group in GROUPS]
    groups = [g for g in groups if g]
    from simulator.sweep_processes import cores  # (a batch job's CPUs, not the whole machine's)

    jobs = min(len(groups), jobs if jobs is not None else cores())
    seconds: dict[str, float] = {}

    def done(results: list[tuple[str, float]]) -> None:
        for name, s in results:
            seconds[name] = s
            if report is not None:
                report(name, s)

    if jobs <= 1:
        for group in groups:
            done(run_paths(group))
        return seconds
    with ProcessPoolExecutor(jobs, mp_context=mp.get_context("spawn")) as pool:
        for future in as_completed([pool.submit(run_paths, g) for g in groups]):
            done(future.result())
    return seconds


__all__ = ["GROUPS", "PATHS", "KernelPath", "run_paths", "warm", "where"]
