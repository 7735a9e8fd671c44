"""Sweeps: run a scenario's plan over any executor, streaming results to disk, resumably.

:func:`run` is a pure, picklable function of a :class:`~simulator.plan.RunSpec`; a failing
run is returned with its error instead of raising. :func:`sweep` runs every run of a plan
that is not already finished in the output folder, over a ``concurrent.futures``-style
executor (local processes by default; a Dask cluster, :mod:`simulator.cluster`; any
``Client.get_executor()``), a few paired runs per task (the arms of a pair on one organisation,
built once), and writes each finished task at once
(:mod:`simulator.results`). A task the executor loses (its Dask worker died) is resubmitted,
so a lost worker costs only its unfinished runs. Memory stays flat: nothing is kept after it
is written.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import os
import re
import signal
import sys
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from simulator.cluster import DaskPool, WorkerMismatchError, checked_task, connect, worker_versions
from simulator.errors import SimulatorError, a_type, is_whole
from simulator.scenario import Plan, RunSpec, describe_point, design_notes

if TYPE_CHECKING:  # imported where used: a sweep's parent process runs no model
    import pandas as pd

    from simulator.engine import Engine
    from simulator.mechanisms import Context
    from simulator.orgchart import Org
    from simulator.shard import Shard

Columns = dict[str, np.ndarray]
Said = tuple[tuple[type[Warning], str], ...]
"""Warnings raised and not shown: (category, message), each once, in the order raised."""


@dataclass
class RunResult:
    """What one run produced (or its error): outcomes, and its per-step tables as columns
    (numpy arrays; :attr:`series` and :attr:`levels` are them as DataFrames), and with
    ``[record] people``, its row per person (:mod:`simulator.people`)."""

    point: int
    arm: str
    replication: int
    outcomes: dict[str, Any]
    series_columns: Columns | None
    level_columns: Columns | None
    error: str | None
    seconds: float
    said: Said = ()  # the warnings its batch raised, shown by the sweep's own process
    people_columns: Columns | None = None  # a row per person ([record] people)

    @property
    def series(self) -> pd.DataFrame | None:
        """The per-step table of the run (columns ``step`` and the kept series)."""
        import pandas as pd

        return None if self.series_columns is None else pd.DataFrame(self.series_columns)

    @property
    def levels(self) -> pd.DataFrame | None:
        """The per-step, per-level table of the run."""
        import pandas as pd

        return None if self.level_columns is None else pd.DataFrame(self.level_columns)

    @property
    def people(self) -> pd.DataFrame | None:
        """The row per person of the run (``[record] people``; None when not kept)."""
        import pandas as pd

        return None if self.people_columns is None else pd.DataFrame(self.people_columns)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def key(self) -> tuple[int, str, int]:
        return (self.point, self.arm, self.replication)


SETUP_CHECKS = 200
"""Most set-ups :func:`check_setups` builds (distinct ones spread over the design beyond that)."""

REPLICATION_CHECKS = 8
"""Most replications :func:`check_setups` builds each distinct set-up on (their organisations
and delegates differ), within :data:`SETUP_CHECKS` builds in all."""


class SetupError(SimulatorError):
    """Runs of a plan that cannot be set up (:func:`check_setups`), found before any ran."""


def check_setups(
    plan: Plan, executor: Executor | None = None, parts: int = 1, shown: set[Any] | None = None
) -> list[str]:
    """Why runs of the plan would fail when they are set up, such as a comms team larger than
    its pool, or nothing: one line per arm, at the first design point where it fails.

    Each distinct set-up (the organisation, leader and delegation parameters of a design
    point and arm) is built on the organisations of its first replications: the organisation
    and the strategy assignment, as an engine builds them first (:func:`_set_up`), about a
    millisecond at 1,000 people. A generated organisation differs by replication, so a
    leader may have no one to appoint in replication 2 and not in 0. ``SETUP_CHECKS`` builds
    at most: up to ``REPLICATION_CHECKS`` replications of each set-up, fewer with many
    set-ups, and beyond ``SETUP_CHECKS`` distinct set-ups that many spread evenly over the
    design, on replication 0 only. With an ``executor``, in ``parts`` tasks there (a
    sweep's workers, which import the simulator anyway, all started at once)."""
    setups: dict[str, tuple[int, str]] = {}
    for (point, arm), params in plan.params.items():
        key = params.model_dump_json(include={"org", "leaders", "delegation", "restriction"})
        setups.setdefault(f"{arm}:{key}", (point, arm))
    chosen = sorted(setups.values())
    if len(chosen) > SETUP_CHECKS:
        spread = np.linspace(0, len(chosen) - 1, SETUP_CHECKS).round().astype(int)
        chosen = [chosen[i] for i in sorted(set(spread.tolist()))]
    replications = max(
        1, min(plan.replications, REPLICATION_CHECKS, SETUP_CHECKS // max(1, len(chosen)))
    )
    builds = [(point, arm, r) for point, arm in chosen for r in range(replications)]
    if executor is None:
        said, found = _failing(plan, builds)
    else:
        try:
            tasks = [executor.submit(_failing, plan, builds[k::parts]) for k in range(parts)]
            done = [task.result() for task in tasks]
        except SimulatorError:
            raise
        except Exception as err:  # a Dask scheduler gone before a worker took them
            raise ExecutorLostError(
                f"the executor stopped taking work ({type(err).__name__}: {err}) while the"
                " set-ups were checked; nothing was written: run the sweep again"
            ) from None
        said = tuple(dict.fromkeys(w for part, _ in done for w in part))
        found = [problem for _, part in done for problem in part]
    say(said, shown)  # such as a strategy rule that picks no leader
    first: dict[str, str] = {}
    for *_, arm, line in sorted(found):  # (by design point, then replication: whatever the
        first.setdefault(arm, line)  # parts the builds were split into)
    return [first[arm] for arm in plan.arms if arm in first]


def _failing(
    plan: Plan, setups: Sequence[tuple[int, str, int]]
) -> tuple[Said, list[tuple[int, int, str, str]]]:
    """The warnings the ``setups`` (design point, arm, replication) raise (:func:`placed`),
    and ``(point, replication, arm, why)`` of those that fail (the first one of each arm)."""
    from simulator.errors import describe, is_user_error

    said: list[tuple[type[Warning], str]] = []
    found: list[tuple[int, int, str, str]] = []
    for point, arm, replication in setups:
        if any(arm == a for _, _, a, _ in found):
            continue
        try:
            raised, _ = caught(_set_up, plan.spec(point, arm, replication))
            said.extend(placed(raised, plan, arm))
        except Exception as err:
            if not is_user_error(err):
                raise
            where = f" at design point {point} ({describe_point(plan.points[point])})"
            where = where if plan.points[point] else ""
            runs = "its runs fail" if replication == 0 else f"its replication {replication} fails"
            why = f"arm {arm}{where}: {runs}: {'; '.join(describe(err))}"
            found.append((point, replication, arm, why))
    return tuple(dict.fromkeys(said)), found


def placed(said: Said, plan: Plan, arm: str) -> Said:
    """Warnings raised by ``arm``'s runs, a setting named in them by its place in the
    scenario file when the arm sets it (``arms.middle.leaders.rules[0]``, not
    ``leaders.rules[0]``, which could be any arm's)."""
    own = plan.arms.get(arm, {})
    out = []
    for category, text in said:
        path = re.sub(r"\[\d+\]", "", text.split(" ", 1)[0])
        if any(path == key or path.startswith(f"{key}.") for key in own):
            text = f"arms.{arm}.{text}"
        out.append((category, text))
    return tuple(out)


def _set_up(spec: RunSpec) -> None:
    """What an engine builds first for ``spec``, where set-ups fail: its organisation and
    the leaders' strategies and delegates (without the network or the mechanism, and
    without importing them)."""
    from simulator.rng import RunStreams
    from simulator.strategies import assign

    assign(spec.organisation(), spec.params, RunStreams(spec.structure).generator("assignment"))


def run(spec: RunSpec) -> RunResult:
    """Run one simulation; never raises for a failing run (the error is returned)."""
    result = run_batch([spec])[0]
    say(result.said)
    return result


def run_batch(specs: Sequence[RunSpec], orgs: Organisations | None = None) -> list[RunResult]:
    """Run specs that share parameters and organisation (one :attr:`RunSpec.batch_key`) as one
    batch of replications; each result equals the run of its spec alone, bit for bit. The
    organisation and network come from ``orgs`` if given (built there once for the batches
    sharing them).

    Never raises for failing runs: the error is returned in every result of the batch. The
    warnings the batch raises are returned too (:attr:`RunResult.said`), not shown: on a
    worker they would go to its log (a cluster's, out of sight) in Python's format, once
    per worker; the sweep shows each once (:func:`say`).
    """
    said, results = caught(_run_batch, specs, orgs)
    for result in results:
        result.said = said
    return results


def caught[T](f: Callable[..., T], *args: Any) -> tuple[Said, T]:
    """``f(*args)`` with the warnings it raises kept, not shown (see :func:`say`). (Not for
    threads that run at once: Python's warning filters are the process's.)"""
    with warnings.catch_warnings(record=True) as raised:
        warnings.simplefilter("always")
        value = f(*args)
    return tuple(dict.fromkeys((w.category, str(w.message)) for w in raised)), value


def say(said: Iterable[tuple[type[Warning], str]], shown: set[Any] | None = None) -> None:
    """Show warnings kept by :func:`caught`, here; those in ``shown`` not again (it takes
    the others: one set for a whole sweep, whose tasks each raise their own)."""
    for warning in said:
        if shown is None or warning not in shown:
            warnings.warn(warning[1], warning[0], stacklevel=2)
            if shown is not None:
                shown.add(warning)


def _run_batch(specs: Sequence[RunSpec], orgs: Organisations | None) -> list[RunResult]:
    from simulator.custom_outcomes import columns as custom_columns
    from simulator.metrics import outcome_columns
    from simulator.people import columns as people_columns

    start = time.perf_counter()
    first = specs[0]
    if any(s.batch_key != first.batch_key for s in specs):
        raise ValueError("run_batch takes runs of one design point, arm and organisation")
    try:
        model = (Organisations() if orgs is None else orgs).engine(specs)
        followed = model.recorder.follow(model.state, model.week) if first.people else None
        model.run()  # (following the people: the same numbers)
        by_person: Sequence[Columns | None] = (
            [None] * len(specs)
            if followed is None
            else people_columns(model.org, model.assignment, followed, model.state)
        )
        recorder = model.recorder
        steps = _kept_steps(first.params.steps, first.record_every)
        by_series = recorder.run_columns(steps, first.series)
        by_level: Sequence[Columns | None] = (
            recorder.run_level_columns(steps) if first.levels else [None] * len(specs)
        )
        columns = outcome_columns(recorder)
        columns.update(custom_columns(recorder, dict(first.outcomes)))  # (the scenario's)
    except Exception as err:  # failing runs are recorded, not fatal
        if os.environ.get("ORGSIM_DEBUG"):
            traceback.print_exc()
        seconds = (time.perf_counter() - start) / len(specs)
        error = f"{type(err).__name__}: {err}"
        return [
            RunResult(s.point, s.arm, s.replication, {}, None, None, error, seconds) for s in specs
        ]
    seconds = (time.perf_counter() - start) / len(specs)
    del columns["replication"]
    values = [column.tolist() for column in columns.values()]  # Python numbers, as to_dict's
    return [
        RunResult(
            spec.point,
            spec.arm,
            spec.replication,
            dict(zip(columns, row, strict=True)),
            by_series[r],
            by_level[r],
            None,
            seconds,
            people_columns=by_person[r],
        )
        for r, (spec, row) in enumerate(zip(specs, zip(*values, strict=True), strict=True))
    ]


def run_task(specs: Sequence[RunSpec]) -> list[RunResult]:
    """Run a task's specs, those sharing an organisation as one batch, the arms of a design
    point that share an organisation on one built once; results in spec order."""
    groups: dict[tuple[int, str, int], list[RunSpec]] = {}
    for spec in specs:
        groups.setdefault(spec.batch_key, []).append(spec)
    orgs = Organisations()
    done = {r.key: r for group in groups.values() for r in run_batch(group, orgs)}
    return [done[s.key] for s in specs]


class Organisations:
    """The organisation of the last batch a task ran, for the next batch if that shares it:
    the arms of a design point and replication share their organisation (and seed), and a
    task runs them one after the other, so each organisation is built once. The last
    batch's :attr:`context` goes with it: where the next batch's network is the same (as
    modeling's and delegating's without followed delegates), it is compiled once too. Only
    the last of each is kept, so a task's memory does not grow with its batches."""

    def __init__(self) -> None:
        self._key: tuple[object, ...] | None = None
        self._org: Org | None = None
        self.context: Context | None = None  # the last batch's

    def engine(self, specs: Sequence[RunSpec]) -> Engine:
        """The engine of a batch of ``specs`` (one :attr:`RunSpec.batch_key`), on the last
        organisation and network where they are its own."""
        from simulator.engine import Engine

        first = specs[0]
        org = self.of(first)
        seeds = [s.seed for s in specs]
        engine = Engine(
            first.params, rng=seeds, org=org, structure=first.structure, like=self.context
        )
        self.context = engine.context
        return engine

    def of(self, spec: RunSpec) -> Org:
        """``spec``'s organisation: from its organisation seed and parameters (and its org
        chart)."""
        seed = spec.structure
        key = (seed.entropy, seed.spawn_key, spec.params.org, id(spec.chart))
        if self._org is None or key != self._key:
            self._org = self.context = None  # (the last is freed before the next is built)
            self._org = spec.organisation()
            self._key = key
        return self._org


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


def cores() -> int:
    """The CPUs this process may run on: those a batch scheduler (Slurm, PBS) or
    ``taskset`` gave it, not every CPU of the machine (``os.cpu_count()``), which would
    crowd 64 workers onto the 4 cores of a job."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # (macOS and Windows have no affinity to ask)
        return os.cpu_count() or 1


def default_executor(workers: int) -> Executor:
    """Local worker processes (spawned: safe in notebooks and with threads), sharing the
    cores: a large organisation's week uses ``cores // workers`` threads in each."""
    available = cores()
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_worker_threads,
        initargs=(max(1, available // workers), os.getpid()),
    )


def _worker_threads(count: int, parent: int | None = None) -> None:
    """A local worker's start: the engine imported, Ctrl-C left to the sweep's process,
    ``count`` threads for a large organisation's week
    (:func:`~simulator.mechanisms.social_learning.set_threads`), and an end when the
    ``parent`` process (its pid, given by the parent) is gone."""
    from simulator.mechanisms.social_learning import set_threads

    # Ctrl-C reaches the whole process group: the sweep's process stops the workers
    # (_stop_workers), and a worker waiting for work printed a KeyboardInterrupt traceback
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    set_threads(count)
    if parent is not None:  # (from the parent: it may be gone before this worker starts)
        threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()


def _exit_with(parent: int, every: float = 0.5) -> None:
    """End this worker when its parent process is gone (killed alone: ``kill PID``, the OOM
    killer); a pool's worker would otherwise wait for work for ever, holding its memory."""
    while os.getppid() == parent:
        time.sleep(every)
    os._exit(1)


RETRIES = 3
"""Times a task whose worker was lost (or whose executor failed it) is resubmitted."""


class ExecutorLostError(SimulatorError):
    """The executor stopped taking work mid-sweep (finished runs are saved; rerun to resume)."""


@dataclass
class SweepSummary:
    """Counts of a sweep call: runs planned, already finished before it, done and failed in
    it, and tasks resubmitted after their worker was lost."""

    planned: int
    skipped: int
    done: int
    failed: int
    seconds: float
    resubmitted: int = 0
    executor: str = ""

    def __str__(self) -> str:
        """What the sweep did, in words (its repr has every field).

        >>> print(SweepSummary(planned=150, skipped=30, done=119, failed=1, seconds=2.302))
        119 runs done, 1 failed, 30 already done, in 2 s
        """
        lost = (
            f" ({self.resubmitted} task(s) resubmitted after a lost worker)"
            if self.resubmitted
            else ""
        )
        return (
            f"{self.done:,} runs done, {self.failed:,} failed, {self.skipped:,} already done,"
            f" in {duration(self.seconds)}{lost}"
        )


def task_pairs(pairs: int, workers: int, *, remote: bool = False) -> int:
    """Paired runs per task: about 8 tasks per worker, at most 64 pairs.

    On a Dask cluster (``remote``) at least 4 pairs, so that the scheduler's overhead of a few
    milliseconds per task stays small against the runs' tens of milliseconds each
    (bench/dask_overhead.py); more tasks than that would only add overhead.

    >>> task_pairs(500, 2), task_pairs(500, 2, remote=True), task_pairs(10, 64, remote=True)
    (31, 31, 4)
    """
    return int(np.clip(pairs // (max(1, workers) * 8), 4 if remote else 1, 64))


def sweep(
    plan: Plan,
    out: str | Path,
    *,
    executor: Executor | DaskPool | None = None,
    workers: int | None = None,
    cluster: str | None = None,
    pairs_per_task: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    retries: int = RETRIES,
    check: bool = False,
    shard: Shard | None = None,
) -> SweepSummary:
    """Run (or resume) ``plan`` into the results folder ``out``.

    Parameters
    ----------
    plan : Plan
        From :func:`simulator.scenario.load_scenario`.
    out : path
        Results folder. Finished runs found there are skipped; failed ones are retried. A
        folder holding another scenario's results is refused.
    executor : concurrent.futures.Executor or simulator.cluster.DaskPool, optional
        Where tasks run. Default: the Dask scheduler at ``cluster``, else ``workers`` local
        processes, or this process when ``workers == 1``. A Dask pool
        (:func:`simulator.cluster.connect`, :func:`~simulator.cluster.local_cluster`) sizes
        tasks for a cluster and follows workers joining and leaving; a bare Dask executor
        should be ``client.get_executor(pure=False)``, so that a resubmitted task is run
        again rather than matched to the lost one.
    workers : int, optional
        Number of local processes, 1 for this process (default: the scenario's ``[run]
        workers``, else one per CPU this process may use, :func:`cores`). With an
        ``executor``, how many tasks it runs at once (with a Dask pool, its worker threads,
        counted as they join and leave).
    cluster : str, optional
        Address of a running Dask scheduler (``tcp://host:port`` or a scheduler file, see
        :mod:`simulator.cluster`); default the scenario's ``[run] cluster``. Ignored when an
        ``executor`` is given. Raises :class:`~simulator.cluster.ClusterError` before
        anything is written if it cannot be used.
    pairs_per_task : int, optional
        Paired runs per task (default: the scenario's ``[run] pairs_per_task``, else
        :func:`task_pairs`). Within a task, runs that share an organisation run as one batch.
    progress : callable, optional
        Called as ``progress(done, total)`` after each task.
    check : bool
        First build each distinct set-up of the plan (:func:`check_setups`, on the executor)
        and raise :class:`SetupError`, before anything is written, if some runs cannot start
        (``orgsim sweep`` does); otherwise such runs are recorded as failed.
    retries : int
        Times a task is resubmitted when the executor fails it rather than returning its
        results (a Dask worker lost with it, ``KilledWorker``): a lost worker costs only its
        unfinished runs. Failing runs never raise; they are recorded and retried on resume.
    shard : simulator.shard.Shard, optional
        Run only this shard's share of the runs (``Shard.parse("3/8")``), into a folder of
        its own; :func:`simulator.shard.merge` puts the shards' folders together.

    Raises
    ------
    ExecutorLostError
        If the executor stops taking work (a Dask scheduler gone, a broken process pool):
        everything finished is on disk, and rerunning resumes.
    """
    _not_in_a_starting_worker()
    if not isinstance(plan, Plan):
        raise TypeError(
            "sweep(plan, out) takes a planned scenario: scenario, plan ="
            f" load_scenario(path), then sweep(plan, out); got {a_type(plan)}"
        )
    if executor is not None and not isinstance(executor, Executor | DaskPool):
        raise TypeError(
            "executor takes a concurrent.futures Executor or a pool of simulator.cluster;"
            f" got {a_type(executor)}: local_cluster() and connect() give one in a with"
            " statement (with local_cluster(2) as pool: sweep(plan, out, executor=pool))"
        )
    if shard is not None:
        shard.check(plan)  # (one with no run: said before anything is written)
    settings = plan.scenario.run
    if workers is not None and not (is_whole(workers) and workers >= 1):
        raise ValueError(f"workers = {workers!r}: must be a whole number >= 1 (1: this process)")
    count: int = workers or settings.workers or cores()
    pairs_per_task = pairs_per_task or settings.pairs_per_task
    cluster = cluster if cluster is not None else settings.cluster
    shown: set[Any] = set()  # warnings shown: each once in the sweep, not once per task
    with contextlib.ExitStack() as stack:
        pool: Executor | None = None if isinstance(executor, DaskPool) else executor
        capacity: Callable[[], int] = lambda: count  # noqa: E731
        alive: Callable[[], bool] = lambda: True  # noqa: E731
        where = f"{count} local process(es)" if count > 1 else "this process"
        remote = False
        dask: DaskPool | None = executor if isinstance(executor, DaskPool) else None
        if executor is None and cluster:
            dask = stack.enter_context(
                connect(cluster, source="run.cluster", timeout=settings.connect_timeout)
            )
        if dask is not None:
            pool, capacity, where, remote = dask.executor, dask.threads, dask.describe(), True
            alive = dask.alive
            count = dask.threads()
        elif executor is not None:
            where = type(executor).__name__
        elif count > 1:
            pool = stack.enter_context(_owned(default_executor(count)))
        say(((UserWarning, line) for line in design_notes(plan)), shown)
        if check:  # on a worker: it imports the engine anyway, where this process need not
            problems = check_setups(plan, pool, count, shown)
            if problems:
                raise SetupError("; ".join(problems))
        # on a cluster each task checks its worker first: workers may join at any time
        task = run_task if dask is None else functools.partial(checked_task, worker_versions())
        driver = _Driver(capacity, alive, retries, task=task)
        return _sweep(
            plan, out, pool, count, driver, pairs_per_task, progress, where, remote, shown, shard
        )


@contextlib.contextmanager
def _owned(pool: Executor) -> Iterator[Executor]:
    try:
        yield pool
    except BaseException:
        _stop_workers(pool)  # Ctrl-C (or an error): no task's result is wanted any more
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _stop_workers(pool: Executor) -> None:
    """End a process pool's workers now. Shut down in the ordinary way after Ctrl-C, a pool
    waits for its running tasks, and a second Ctrl-C during that wait left the sweep hung for
    good: its workers never got the message to stop (3 of 4 double Ctrl-Cs)."""
    terminate = getattr(pool, "terminate_workers", None)  # (Python 3.14)
    if terminate is not None:
        terminate()
        return
    processes = list((getattr(pool, "_processes", None) or {}).values())  # (the pool's own)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=5)
    # A worker ended while it wrote a result leaves half a message in the result pipe: the
    # pool's manager thread waited for the rest for ever, and the sweep with it (1 SIGTERM in
    # 10). With the workers gone, closing this process's own write end gives it end-of-file.
    results = getattr(pool, "_result_queue", None)
    writer = getattr(results, "_writer", None)
    if writer is not None and not any(p.is_alive() for p in processes):
        writer.close()


def _sweep(
    plan: Plan,
    out: str | Path,
    pool: Executor | None,
    workers: int,
    driver: _Driver,
    pairs_per_task: int | None,
    progress: Callable[[int, int], None] | None,
    where: str,
    remote: bool,
    shown: set[Any],
    shard: Shard | None = None,
) -> SweepSummary:
    from simulator.results import ResultsFolder, writing

    with writing(out):  # one sweep at a time in a folder; opened (and checked) once held
        started = time.perf_counter()
        folder = ResultsFolder.open(out, plan, shard)
        finished = folder.finished_keys()  # same digest: all of them are runs of this plan
        remaining = folder.planned - len(finished)
        runs = plan.runs() if shard is None else shard.runs(plan)
        todo = (s for s in runs if s.key not in finished)  # lazy: memory stays flat
        if pairs_per_task is None:
            pairs = max(1, remaining // max(1, len(plan.arms)))
            pairs_per_task = task_pairs(pairs, workers, remote=remote)
        summary = SweepSummary(folder.planned, len(finished), 0, 0, 0.0, executor=where)
        attempt = folder.begin(remaining, executor=where)
        report = progress or (lambda done, total: None)
        report(0, remaining)
        batches = tasks(todo, pairs_per_task)

        def record(index: int, results: list[RunResult]) -> None:
            folder.write(index, attempt, results)
            say((w for r in results for w in placed(r.said, plan, r.arm)), shown)
            summary.done += sum(r.ok for r in results)
            summary.failed += sum(not r.ok for r in results)
            report(summary.done + summary.failed, remaining)

        try:
            if pool is None:
                for index, batch in enumerate(batches):
                    record(index, run_task(batch))
            else:
                driver.drive(pool, batches, record)
        finally:
            summary.seconds = time.perf_counter() - started
            summary.resubmitted = driver.resubmitted
            folder.finish(attempt, summary.done, summary.failed, summary.resubmitted)
        return summary


@dataclass
class _Driver:
    """Keeps about two tasks per worker submitted, writes each as it completes, resubmits a
    task the executor failed (its worker lost) up to ``retries`` times, and stops when the
    executor stops taking work or is no longer ``alive`` (a Dask client that lost its
    scheduler)."""

    capacity: Callable[[], int]
    alive: Callable[[], bool]
    retries: int
    resubmitted: int = 0
    poll: float = 5.0
    task: Callable[[list[RunSpec]], list[RunResult]] = run_task

    def drive(
        self,
        pool: Executor,
        batches: Iterator[list[RunSpec]],
        record: Callable[[int, list[RunResult]], None],
    ) -> None:
        pending: dict[Future[list[RunResult]], tuple[int, list[RunSpec], int]] = {}
        numbered = enumerate(batches)
        lost: BaseException | None = None

        def submit(index: int, batch: list[RunSpec], tries: int) -> None:
            nonlocal lost
            try:
                pending[pool.submit(self.task, batch)] = (index, batch, tries)
            except Exception as err:  # shut down, broken, or its scheduler gone
                lost = err

        def top_up() -> None:
            while lost is None and len(pending) < 2 * max(1, self.capacity()):
                nxt = next(numbered, None)
                if nxt is None:
                    return
                submit(*nxt, 0)

        top_up()
        while pending:
            done, _ = wait(pending, timeout=self.poll, return_when=FIRST_COMPLETED)
            if not done and not self.alive():
                lost = lost or ConnectionError("the Dask client lost its scheduler")
                break  # its futures may never resolve: what finished is on disk
            for future in done:
                index, batch, tries = pending.pop(future)
                if future.cancelled():  # dropped by the executor (its scheduler gone):
                    lost = lost or ConnectionError("the executor cancelled a task")
                    continue  # not done, not failed, not resubmitted: left for the resume
                try:
                    results = future.result()
                except WorkerMismatchError:
                    raise  # a worker that joined later runs other code: stop, keep all done
                except Exception as err:  # the task, not a run, failed: its worker died
                    if tries < self.retries and lost is None:
                        self.resubmitted += 1
                        submit(index, batch, tries + 1)
                        if lost is None:
                            continue
                    results = _failed(batch, err)
                record(index, results)
            top_up()
        if lost is not None:
            raise ExecutorLostError(
                f"the executor stopped taking work ({type(lost).__name__}: {lost}); every "
                f"finished run is saved: run the sweep again to resume{_guard_hint(lost)}"
            )


MAIN_GUARD = (
    "a script that calls sweep() with workers > 1 must call it under"
    ' `if __name__ == "__main__":`, because each worker process imports the script'
    " (Python's 'spawn' start), and would start the sweep again"
)


def _not_in_a_starting_worker() -> None:
    """Refuse a sweep started by a worker process as it imports the script that started
    it: a script without the ``__main__`` guard. Each worker then failed on the folder's
    lock, and the sweep said only that its process pool broke."""
    if getattr(multiprocessing.current_process(), "_inheriting", False):
        raise SimulatorError(f"sweep() was called in a worker process as it started: {MAIN_GUARD}")


def _guard_hint(lost: BaseException) -> str:
    """For a process pool broken under a script without the ``__main__`` guard: why."""
    script = getattr(sys.modules.get("__main__"), "__file__", None)
    if type(lost).__name__ != "BrokenProcessPool" or script is None:
        return ""
    try:
        guarded = "__main__" in Path(script).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "" if guarded else f" ({Path(script).name}: {MAIN_GUARD})"


def _failed(batch: list[RunSpec], err: BaseException) -> list[RunResult]:
    """Every run of a task that failed as a whole (after its retries)."""
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
