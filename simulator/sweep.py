"""Sweeps: run a scenario's plan over any executor, streaming results to disk, resumably.

:func:`run` is a pure, picklable function of a :class:`~simulator.scenario.RunSpec`; a failing
run is returned with its error instead of raising. :func:`sweep` runs every run of a plan
that is not already finished in the output folder, over a ``concurrent.futures``-style
executor (local processes by default; a Dask ``Client.get_executor()`` works too), a few
paired runs per task, and writes each finished task at once (:mod:`simulator.results`).
Memory stays flat: nothing is kept after it is written.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulator.model import OrgModel
from simulator.results import ResultsFolder
from simulator.scenario import Plan, RunSpec


@dataclass
class RunResult:
    """What one run produced (or its error)."""

    point: int
    arm: str
    replication: int
    outcomes: dict[str, Any]
    series: pd.DataFrame | None
    levels: pd.DataFrame | None
    error: str | None
    seconds: float

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def key(self) -> tuple[int, str, int]:
        return (self.point, self.arm, self.replication)


def run(spec: RunSpec) -> RunResult:
    """Run one simulation; never raises for a failing run (the error is returned)."""
    return run_batch([spec])[0]


def run_batch(specs: Sequence[RunSpec]) -> list[RunResult]:
    """Run specs that share parameters and organisation (one :attr:`RunSpec.batch_key`) as one
    batch of replications; each result equals the run of its spec alone, bit for bit.

    Never raises for failing runs: the error is returned in every result of the batch.
    """
    start = time.perf_counter()
    first = specs[0]
    if any(s.batch_key != first.batch_key for s in specs):
        raise ValueError("run_batch takes runs of one design point, arm and organisation")
    try:
        model = OrgModel(
            first.params, rng=[s.seed for s in specs], structure=first.structure, agents=False
        ).run()
        series = _kept(model.series(), first)[["replication", "step", *first.series]]
        levels = _kept(model.levels(), first) if first.levels else None
        outcomes = model.outcomes()
    except Exception as err:  # failing runs are recorded, not fatal
        if os.environ.get("ORGSIM_DEBUG"):
            traceback.print_exc()
        seconds = (time.perf_counter() - start) / len(specs)
        error = f"{type(err).__name__}: {err}"
        return [
            RunResult(s.point, s.arm, s.replication, {}, None, None, error, seconds) for s in specs
        ]
    seconds = (time.perf_counter() - start) / len(specs)
    rows = outcomes.drop(columns="replication").to_dict("records")
    by_series = _split(series, len(specs))
    by_level = _split(levels, len(specs)) if levels is not None else [None] * len(specs)
    return [
        RunResult(
            spec.point,
            spec.arm,
            spec.replication,
            {str(k): v for k, v in rows[r].items()},
            by_series[r],
            by_level[r],
            None,
            seconds,
        )
        for r, spec in enumerate(specs)
    ]


def _split(frame: pd.DataFrame, replications: int) -> list[pd.DataFrame | None]:
    """One frame per replication, in row order, without the column (one pass)."""
    codes = frame["replication"].to_numpy()
    frame = frame.drop(columns="replication")
    if replications == 1:
        return [frame.reset_index(drop=True)]
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(replications + 1))
    return [
        frame.iloc[order[bounds[r] : bounds[r + 1]]].reset_index(drop=True)
        for r in range(replications)
    ]


def run_task(specs: Sequence[RunSpec]) -> list[RunResult]:
    """Run a task's specs, those sharing an organisation as one batch; results in spec order."""
    groups: dict[tuple[int, str, int], list[RunSpec]] = {}
    for spec in specs:
        groups.setdefault(spec.batch_key, []).append(spec)
    done = {r.key: r for group in groups.values() for r in run_batch(group)}
    return [done[s.key] for s in specs]


def _kept(frame: pd.DataFrame, spec: RunSpec) -> pd.DataFrame:
    """The rows of the steps a spec keeps (every ``record_every``-th and the last)."""
    if spec.record_every == 1:
        return frame
    return frame[frame["step"].isin(_kept_steps(spec.params.steps, spec.record_every))]


def _kept_steps(steps: int, every: int) -> np.ndarray:
    keep = np.arange(0, steps + 1, every)
    return keep if keep[-1] == steps else np.append(keep, steps)


def tasks(specs: Iterable[RunSpec], pairs_per_task: int) -> Iterator[list[RunSpec]]:
    """Group runs into tasks of whole pairs (all arms of a point and replication)."""
    batch: list[RunSpec] = []
    pair: tuple[int, int] | None = None
    pairs = 0
    for spec in specs:
        key = (spec.point, spec.replication)
        if key != pair:
            if pairs == pairs_per_task:
                yield batch
                batch, pairs = [], 0
            pair, pairs = key, pairs + 1
        batch.append(spec)
    if batch:
        yield batch


def default_executor(workers: int) -> Executor:
    """Local worker processes (spawned: safe in notebooks and with threads)."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


@dataclass
class SweepSummary:
    """Counts of a sweep call."""

    planned: int
    skipped: int
    done: int
    failed: int
    seconds: float


def sweep(
    plan: Plan,
    out: str | Path,
    *,
    executor: Executor | None = None,
    workers: int | None = None,
    pairs_per_task: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SweepSummary:
    """Run (or resume) ``plan`` into the results folder ``out``.

    Parameters
    ----------
    plan : Plan
        From :func:`simulator.scenario.load_scenario`.
    out : path
        Results folder. Finished runs found there are skipped; failed ones are retried. A
        folder holding another scenario's results is refused.
    executor : concurrent.futures.Executor, optional
        Where tasks run. Default: ``workers`` local processes, or this process when
        ``workers == 1``.
    workers : int, optional
        Number of local processes (default: the number of CPUs).
    pairs_per_task : int, optional
        Paired runs per task (default: enough for about 8 tasks per worker, at most 64).
        Within a task, runs that share an organisation run as one batch.
    progress : callable, optional
        Called as ``progress(done, total)`` after each task.
    """
    started = time.perf_counter()
    folder = ResultsFolder.open(out, plan)
    finished = folder.finished_keys()  # same digest: all of them are runs of this plan
    remaining = plan.run_count - len(finished)
    todo = (s for s in plan.runs() if s.key not in finished)  # lazy: memory stays flat
    workers = workers or os.cpu_count() or 1
    if pairs_per_task is None:
        pairs = max(1, remaining // max(1, len(plan.arms)))
        pairs_per_task = int(np.clip(pairs // (workers * 8), 1, 64))
    summary = SweepSummary(plan.run_count, len(finished), 0, 0, 0.0)
    attempt = folder.begin(remaining)
    report = progress or (lambda done, total: None)
    report(0, remaining)
    batches = tasks(todo, pairs_per_task)

    def record(index: int, results: list[RunResult]) -> None:
        folder.write(index, attempt, results)
        summary.done += sum(r.ok for r in results)
        summary.failed += sum(not r.ok for r in results)
        report(summary.done + summary.failed, remaining)

    try:
        if executor is None and workers == 1:
            for index, batch in enumerate(batches):
                record(index, run_task(batch))
        else:
            own = executor is None
            pool = default_executor(workers) if executor is None else executor
            try:
                _drive(pool, batches, record, in_flight=2 * workers)
            finally:
                if own:
                    pool.shutdown(wait=True, cancel_futures=True)
    finally:
        summary.seconds = time.perf_counter() - started
        folder.finish(attempt, summary.done, summary.failed)
    return summary


def _drive(
    pool: Executor,
    batches: Iterator[list[RunSpec]],
    record: Callable[[int, list[RunResult]], None],
    in_flight: int,
) -> None:
    """Keep at most ``in_flight`` tasks submitted; write each as it completes."""
    pending: dict[Future[list[RunResult]], tuple[int, list[RunSpec]]] = {}
    numbered = enumerate(batches)
    for index, batch in numbered:
        pending[pool.submit(run_task, batch)] = (index, batch)
        if len(pending) >= in_flight:
            break
    while pending:
        done, _ = wait(pending, return_when=FIRST_COMPLETED)
        for future in done:
            index, batch = pending.pop(future)
            record(index, _results_of(future, batch))
            nxt = next(numbered, None)
            if nxt is not None:
                pending[pool.submit(run_task, nxt[1])] = nxt


def _results_of(future: Future[list[RunResult]], batch: list[RunSpec]) -> list[RunResult]:
    """The task's results; if the task itself failed (e.g. a worker died), every run failed."""
    try:
        return future.result()
    except Exception as err:
        error = f"task failed: {type(err).__name__}: {err}"
        return [RunResult(s.point, s.arm, s.replication, {}, None, None, error, 0.0) for s in batch]


class Progress:
    """Runs done, rate and ETA: a bar on a terminal, plain lines (every ~10 %) elsewhere."""

    def __init__(self, label: str, skipped: int = 0, stream: Any = None) -> None:
        self.label = label
        self.skipped = skipped
        self.stream = stream or sys.stderr
        self.bar: Any = None
        self.start = time.perf_counter()
        self.last_line = -1

    def __call__(self, done: int, total: int) -> None:
        if total == 0:
            return
        if self.stream.isatty():
            if self.bar is None:
                from tqdm import tqdm

                self.bar = tqdm(total=total, unit="run", desc=self.label, file=self.stream)
            self.bar.n = done
            self.bar.refresh()
            if done >= total:
                self.bar.close()
            return
        decile = (10 * done) // max(total, 1)
        if decile == self.last_line and done < total:
            return
        self.last_line = decile
        elapsed = time.perf_counter() - self.start
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = (total - done) / rate if rate > 0 else float("nan")
        skipped = f", {self.skipped} already done" if self.skipped else ""
        print(
            f"{self.label}: {done}/{total} runs ({100 * done / max(total, 1):.0f} %)"
            f"{skipped}, {rate:.1f} runs/s, ETA {duration(eta)}",
            file=self.stream,
            flush=True,
        )


def duration(seconds: float) -> str:
    """A duration in words: ``under a second``, ``42 s``, ``12 min``, ``3.5 h`` (``?``: unknown)."""
    if not np.isfinite(seconds):
        return "?"
    if seconds < 1:
        return "under a second"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
