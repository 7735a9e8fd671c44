"""A sweep's local worker processes: how many (:func:`cores`), started
(:func:`default_executor`: spawned, each with its share of the cores, each ending when its
parent process is gone) and stopped at once on Ctrl-C (:func:`_stop_workers`), and the
``__main__`` guard a script that starts them needs (:data:`MAIN_GUARD`).
:mod:`simulator.sweep` re-exports every name here.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path

from simulator.errors import SimulatorError


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
