"""Sweeps: run a scenario's plan over any executor, streaming results to disk, resumably.

:func:`sweep` runs every run of a plan that is not already finished in the output folder,
over a ``concurrent.futures``-style executor (local processes by default; a Dask cluster,
:mod:`simulator.cluster`; any ``Client.get_executor()``), a few paired runs per task (the
arms of a pair on one organisation, built once), and writes each finished task at once
(:mod:`simulator.results`). A task the executor loses (its Dask worker died) is resubmitted,
so a lost worker costs only its unfinished runs. Memory stays flat: nothing is kept after it
is written.

This module drives the tasks (:func:`sweep`); the rest is in modules of their own, each
name importable from here too:

- :mod:`simulator.sweep_runs`: what a worker runs, :func:`run` (a pure, picklable function
  of a :class:`~simulator.plan.RunSpec`; a failing run is returned with its error instead
  of raising), :func:`run_task` and the tasks of paired runs, and the warnings runs raise;
- :mod:`simulator.sweep_setups`: runs that cannot be set up, found before any runs
  (:func:`check_setups`);
- :mod:`simulator.sweep_processes`: the local worker processes, started and stopped;
- :mod:`simulator.sweep_progress`: the sweep in words (:class:`Progress`,
  :class:`SweepSummary`).
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from simulator.cluster import (
    DaskPool,
    NoWorkers,
    WorkerMismatchError,
    checked_task,
    connect,
    worker_versions,
)
from simulator.errors import SimulatorError, a_type, is_whole
from simulator.scenario import Plan, RunSpec, design_notes
from simulator.sweep_processes import (
    MAIN_GUARD,
    _guard_hint,
    _not_in_a_starting_worker,
    _owned,
    cores,
    default_executor,
)
from simulator.sweep_processes import _worker_threads as _worker_threads  # (tests take it)
from simulator.sweep_progress import Progress, SweepSummary, duration
from simulator.sweep_runs import (
    Columns,
    Organisations,
    RunResult,
    Said,
    caught,
    placed,
    run,
    run_batch,
    run_task,
    say,
    tasks,
)
from simulator.sweep_runs import _kept_steps as _kept_steps  # (tests take it from here)
from simulator.sweep_setups import REPLICATION_CHECKS, SETUP_CHECKS, SetupError, check_setups

if TYPE_CHECKING:
    from simulator.shard import Shard

__all__ = [  # (what was this module's before its parts had modules of their own)
    "MAIN_GUARD",
    "REPLICATION_CHECKS",
    "RETRIES",
    "SETUP_CHECKS",
    "Columns",
    "ExecutorLostError",
    "Organisations",
    "Progress",
    "RunResult",
    "Said",
    "SetupError",
    "SweepSummary",
    "caught",
    "check_setups",
    "cores",
    "default_executor",
    "duration",
    "placed",
    "run",
    "run_batch",
    "run_task",
    "say",
    "sweep",
    "task_pairs",
    "tasks",
]

RETRIES = 3
"""Times a task whose worker was lost (or whose executor failed it) is resubmitted."""


class ExecutorLostError(SimulatorError):
    """The executor stopped taking work mid-sweep (finished runs are saved; rerun to resume)."""


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
        if dask is not None:  # (said when its workers are all gone: the runs wait for one)
            driver.watch = dask.watch()
            driver.poll = min(driver.poll, driver.watch.after / 4)
        return _sweep(
            plan, out, pool, count, driver, pairs_per_task, progress, where, remote, shown, shard
        )


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
                driver.drive(pool, batches, record, lambda: summary.skipped + summary.done)
        finally:
            summary.seconds = time.perf_counter() - started
            summary.resubmitted = driver.resubmitted
            folder.finish(attempt, summary.done, summary.failed, summary.resubmitted)
        return summary


@dataclass
class _Driver:
    """Keeps about two tasks per worker submitted, writes each as it completes, resubmits a
    task the executor failed (its worker lost) up to ``retries`` times, says when a Dask
    scheduler has had no worker for a while (``watch``, asked whenever ``poll`` seconds pass
    with no task finished), and stops when the executor stops taking work or is no longer
    ``alive`` (a Dask client that lost its scheduler)."""

    capacity: Callable[[], int]
    alive: Callable[[], bool]
    retries: int
    resubmitted: int = 0
    poll: float = 5.0
    task: Callable[[list[RunSpec]], list[RunResult]] = run_task
    watch: NoWorkers | None = None

    def drive(
        self,
        pool: Executor,
        batches: Iterator[list[RunSpec]],
        record: Callable[[int, list[RunResult]], None],
        saved: Callable[[], int] = lambda: 0,
    ) -> None:
        """Run ``batches`` on ``pool``, ``record`` each as it is done; ``saved``: the runs
        of the folder saved so far (as the watch says them)."""
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
            note = self.watch.note(saved()) if not done and self.watch is not None else None
            if note is not None:
                say([(UserWarning, note)])
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


def _failed(batch: list[RunSpec], err: BaseException) -> list[RunResult]:
    """Every run of a task that failed as a whole (after its retries)."""
    error = f"task failed: {type(err).__name__}: {err}"
    return [RunResult(s.point, s.arm, s.replication, {}, None, None, error, 0.0) for s in batch]
