"""Dask clusters for sweeps: connect to a running scheduler, or start a local one.

A sweep sends its tasks (a few paired runs each, :func:`simulator.sweep.tasks`) to a
``concurrent.futures`` executor; here that executor is a Dask client's. The sweep's own
process keeps writing the results folder, so workers need no shared file system: they only
need the same orgsim and the same versions of the packages that determine the results
(checked on connecting). Dask is an optional extra (``pip install -e '.[dask]'``) and is
imported only when a cluster is used.

A scheduler is addressed as ``tcp://host:port`` (``host:port`` means the same), or by the
scheduler file that ``dask scheduler --scheduler-file path.json`` writes (the usual way on
Slurm or PBS, see ``docs/cluster.md``).

Examples
--------
>>> check_address("10.0.0.5:8786")
'tcp://10.0.0.5:8786'
>>> check_address("tcp://[::1]:8786")
'tcp://[::1]:8786'
>>> check_address("http://example.org")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
ValueError: not a Dask scheduler address; give tcp://host:port (e.g. tcp://10.0.0.5:8786) or ...
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import re
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulator.errors import SimulatorError

ALLOWED = "tcp://host:port (e.g. tcp://10.0.0.5:8786) or the path of a scheduler file (*.json)"
"""What a cluster address may be, in words (for error messages)."""

CONNECT_TIMEOUT = 20.0
"""Seconds to wait for a scheduler to answer before giving up."""

NO_WORKERS_SAID = (10.0, 300.0)
"""Seconds a sweep's scheduler has had no worker before the sweep says so, then between
sayings while it still has none (:class:`NoWorkers`)."""

_ADDRESS = re.compile(r"^(?:tcp://)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$")
RESULT_VERSIONS = ("orgsim", "orgsim code", "mesa", "numpy", "scipy", "pandas", "numba")
"""Packages whose versions must match between the sweep and its workers (bit-identical runs)."""


class ClusterError(SimulatorError):
    """A Dask cluster that cannot be used: bad address, no scheduler there, mismatched workers."""


class WorkerMismatchError(ClusterError):
    """A worker that runs other code or versions than the sweep (found when it takes a task:
    it may have joined after the sweep connected)."""


def check_address(value: str) -> str:
    """The address in the form Dask takes (``tcp://host:port``, or a scheduler file's path).

    Raises
    ------
    ValueError
        If ``value`` is neither; the message says what is allowed.
    """
    text = value.strip()
    if text.endswith(".json") and "://" not in text:
        return text
    found = _ADDRESS.match(text)
    if found is None or not 0 < int(found.group(2)) < 65536:
        raise ValueError(f"not a Dask scheduler address; give {ALLOWED}")
    return f"tcp://{found.group(1)}:{int(found.group(2))}"


@dataclass
class DaskPool:
    """A connected Dask client, its ``concurrent.futures`` executor and what it offers."""

    client: Any
    executor: Executor
    address: str
    local: bool = False
    _threads: tuple[float, int] = field(default=(0.0, 0), repr=False)

    def threads(self, fresh: bool = False) -> int:
        """Worker threads connected now (asked at most once a second, unless ``fresh``; at
        least 1, unless ``fresh``: then 0 when there are none)."""
        asked, count = self._threads
        now = time.monotonic()
        if fresh or now - asked > 1.0:
            count = self.connected() or 0  # (the scheduler gone: the sweep finds out itself)
            self._threads = (now, count)
        return count if fresh else max(1, count)

    def connected(self) -> int | None:
        """Worker threads connected now, asked afresh; None when the scheduler cannot be
        asked (the client reconnecting)."""
        try:
            return sum(int(n) for n in self.client.nthreads().values())
        except Exception:
            return None

    def alive(self) -> bool:
        """Whether the client still has (or is reconnecting to) its scheduler."""
        return str(getattr(self.client, "status", "running")) in ("running", "connecting")

    def watch(self) -> NoWorkers:
        """What a sweep on this pool says while its scheduler has no worker."""
        return NoWorkers(self.connected, *NO_WORKERS_SAID)

    def describe(self) -> str:
        kind = "local Dask cluster" if self.local else f"Dask scheduler {self.address}"
        self._threads = (0.0, 0)  # count afresh
        self.threads()
        count = self._threads[1]
        if count == 0:
            return f"{kind}, no workers yet (tasks wait for workers to join)"
        return f"{kind}, {count} worker thread(s)"


@dataclass
class NoWorkers:
    """Says when the scheduler has had no worker for a while, mid-sweep (all of them lost,
    or none joined): the sweep waits for workers to come back, and its progress stops.

    :meth:`note` is asked each time the sweep has waited a while with no task finished: the
    worker threads connected now (``threads``, as :meth:`DaskPool.threads` counts them
    afresh, and as the sweep checks at its start), from the first time there were none, for
    ``after`` seconds, then once every ``again`` seconds while there are still none; workers
    back start it over. A scheduler that cannot be asked (``threads`` gives None: the client
    reconnecting) is not said to have no workers.

    >>> watch = NoWorkers(lambda: 0, after=10, again=300, clock=iter([0, 5, 12, 20]).__next__)
    >>> [watch.note(saved=40) for _ in range(4)]  # doctest: +NORMALIZE_WHITESPACE
    [None, None, 'no workers on the scheduler for 12 s; waiting (Ctrl-C keeps the 40 saved
    runs)', None]
    >>> asked = NoWorkers(lambda: None, after=10, again=300, clock=iter([0, 20]).__next__)
    >>> [asked.note(saved=40) for _ in range(2)]  # (the scheduler not answering)
    [None, None]
    """

    threads: Callable[[], int | None]
    after: float
    again: float
    clock: Callable[[], float] = time.monotonic
    _since: float | None = field(default=None, repr=False)  # none since (clock time)
    _said: float | None = field(default=None, repr=False)  # seconds of none when last said

    def note(self, saved: int) -> str | None:
        """What to say now (``saved``: the runs of the folder saved so far), or None."""
        now = self.clock()
        threads = self.threads()
        if threads is None:  # (not known: nothing said, the time without workers kept)
            return None
        if threads > 0:
            self._since = self._said = None
            return None
        if self._since is None:
            self._since = now
        idle = now - self._since
        if idle < (self.after if self._said is None else self._said + self.again):
            return None
        self._said = idle
        runs = f"{saved:,} saved run{'s' * (saved != 1)}"
        return f"no workers on the scheduler for {idle:.0f} s; waiting (Ctrl-C keeps the {runs})"


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise ClusterError(
            "a Dask cluster needs Dask's distributed scheduler: pip install -e '.[dask]'"
        ) from None
    return distributed


@contextlib.contextmanager
def connect(
    address: str,
    *,
    source: str = "--cluster",
    timeout: float = CONNECT_TIMEOUT,
    waiting: Callable[[str], None] | None = None,
) -> Iterator[DaskPool]:
    """Connect to the Dask scheduler at ``address``; close the client on leaving.

    Parameters
    ----------
    address : str
        ``tcp://host:port``, ``host:port``, or the path of a scheduler file.
    source : str
        Where the address came from, named in errors (``--cluster``, ``<file>: run.cluster``).
    timeout : float
        Seconds to wait for the scheduler: for its file to be written and its port to open
        (a batch job starts the scheduler and the sweep together), then for it to answer.
    waiting : callable, optional
        Told once, in words, when the scheduler is not there yet and the wait begins.

    Raises
    ------
    ClusterError
        One line naming ``source``, the value and what is allowed, if the address is not one,
        no scheduler answers there, or a worker runs other code or versions of the packages
        that determine results (its runs would not be bit-identical).
    """

    def fail(problem: str) -> ClusterError:
        return ClusterError(f"{source} = {address!r}: {problem}")

    try:
        target = check_address(address)
    except ValueError as err:
        raise fail(str(err)) from None
    distributed = _distributed()
    deadline = time.monotonic() + timeout
    told = False
    while True:
        scheduler, problem = _scheduler(target)
        if problem is None and scheduler is not None:
            problem = _knock(scheduler)
        if problem is None or time.monotonic() >= deadline:
            break
        if waiting is not None and not told:
            waiting(f"waiting up to {timeout:g} s for the Dask scheduler at {address} ({problem})")
            told = True
        time.sleep(min(0.5, max(0.0, deadline - time.monotonic())))
    if problem is not None:
        raise fail(
            f"{problem}, after {timeout:g} s; start one with 'dask scheduler' (docs/cluster.md)"
            f" and give {ALLOWED}"
        )
    try:
        client = _client(distributed, str(scheduler), max(1.0, deadline - time.monotonic()))
    except (OSError, TimeoutError) as err:
        why = " ".join(str(err).split())[:200] or type(err).__name__
        raise fail(f"no Dask scheduler answered there within {timeout:g} s ({why})") from None
    try:
        check_workers(client, source, address)
        yield DaskPool(client, client.get_executor(pure=False), target)
    finally:
        client.close()


def _scheduler(target: str) -> tuple[str | None, str | None]:
    """The scheduler's address (read from its file, if ``target`` is one), or why not yet."""
    if not target.endswith(".json"):
        return target, None
    path = Path(target)
    if not path.exists():
        where = "there" if str(path.resolve()) == target else f"at {path.resolve()}"
        return None, f"no scheduler file {where} (yet)"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        return None, f"the scheduler file cannot be read ({type(err).__name__}: {err})"
    except json.JSONDecodeError as err:  # (also while the scheduler is still writing it)
        return None, f"the scheduler file is not JSON ({err.msg}, line {err.lineno})"
    if not isinstance(data, dict) or not isinstance(data.get("address"), str):
        return None, "the scheduler file holds no scheduler address (no 'address' entry)"
    return data["address"], None


def _knock(address: str) -> str | None:
    """Whether something accepts connections at ``tcp://host:port``: None, or why not."""
    found = _ADDRESS.match(address[6:]) if address.startswith("tcp://") else None
    if found is None:
        return None  # another protocol (from a scheduler file): let Dask try it
    host = found.group(1).strip("[]")
    try:
        socket.create_connection((host, int(found.group(2))), timeout=5).close()
    except OSError as err:
        why = (err.strerror or str(err) or type(err).__name__).strip()
        return f"no Dask scheduler there ({why})"
    return None


def _client(distributed: Any, address: str, seconds: float) -> Any:
    """A Dask client, or :class:`TimeoutError` after ``seconds``: a port that accepts the
    connection and then never answers as a scheduler (a web server, the scheduler's own
    dashboard port) held Dask's client for good, its own timeouts notwithstanding."""
    made: dict[str, Any] = {}

    def make() -> None:
        try:
            made["client"] = distributed.Client(address, set_as_default=False)
        except BaseException as err:
            made["error"] = err

    thread = threading.Thread(target=make, name="orgsim-connect", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise TimeoutError(
            "something accepts connections there but does not answer as a Dask scheduler: is "
            "it the scheduler's port (8786 unless set), not its dashboard's (8787)?"
        )
    if "error" in made:
        raise made["error"]
    return made["client"]


@contextlib.contextmanager
def local_cluster(workers: int) -> Iterator[DaskPool]:
    """Start a Dask cluster of ``workers`` single-threaded processes on 127.0.0.1 (its HTTP
    servers on free local ports), connect to it, and shut both down on leaving."""
    distributed = _distributed()
    with _ctrl_c_spared():  # (its worker processes are started here)
        cluster = distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            # Dask's HTTP servers (health, metrics) even without a dashboard: on free local
            # ports, not 8787, where a user's own dashboard made Dask warn in four lines
            dashboard_address="127.0.0.1:0",
            worker_dashboard_address="127.0.0.1:0",
        )
    level = logging.getLogger("distributed").level
    try:
        with cluster, distributed.Client(cluster, set_as_default=False) as client:
            try:
                yield DaskPool(
                    client, client.get_executor(pure=False), cluster.scheduler_address, True
                )
            except KeyboardInterrupt:  # (or SIGTERM): the runs in flight are given up, and
                _hush()  # Dask need not warn of each cancelled task and of killing its workers
                with contextlib.suppress(Exception):
                    client.run(_hush)
                raise
    finally:
        logging.getLogger("distributed").setLevel(level)


def _hush() -> None:
    """Dask's warnings unsaid (its errors still said) in this process."""
    logging.getLogger("distributed").setLevel(logging.ERROR)


@contextlib.contextmanager
def _ctrl_c_spared() -> Iterator[None]:
    """Processes started within ignore Ctrl-C (SIGINT, which a terminal sends to the whole
    process group): the sweep that started them stops them. Each printed a page of
    KeyboardInterrupt and CancelledError tracebacks before the sweep's one line."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


@functools.cache
def worker_versions() -> dict[str, str]:
    """Versions of the result-determining packages in this process (run on each worker),
    with the digest of orgsim's own code (:func:`~simulator.results_provenance.code_digest`): the
    version string stays the same from one commit to the next."""
    import numba

    from simulator.results import versions

    found = {k: v for k, v in versions().items() if k in RESULT_VERSIONS}
    return {**found, "numba": numba.__version__}


def differences(found: dict[str, str], mine: dict[str, str]) -> list[str]:
    """What a worker's :func:`worker_versions` has that this process's has not."""
    return [f"{k} {found.get(k)} (here {v})" for k, v in mine.items() if found.get(k) != v]


def checked_task(expected: dict[str, str], specs: Any) -> Any:
    """:func:`simulator.sweep_runs.run_task` on a Dask worker, once the worker is found to run
    the sweep's code and versions (``expected``): a worker that joins after the sweep
    connected was never checked, and its runs would differ. :class:`WorkerMismatchError` if not."""
    differ = differences(worker_versions(), expected)
    if differ:
        try:
            import distributed

            worker = distributed.get_worker().address
        except (ImportError, ValueError):
            worker = "(unknown)"
        raise WorkerMismatchError(
            f"worker {worker} runs {', '.join(differ)}; its runs would not be bit-identical."
            " Stop that worker (or install the same code there) and run the sweep again to"
            " resume: every finished run is saved"
        )
    from simulator.sweep_runs import run_task

    return run_task(specs)


def check_workers(client: Any, source: str, address: str) -> None:
    """Refuse workers that cannot import orgsim or run other versions than this process."""
    mine = worker_versions()
    try:
        theirs = client.run(worker_versions)
    except Exception as err:  # e.g. ModuleNotFoundError on a worker without orgsim
        raise ClusterError(
            f"{source} = {address!r}: a worker cannot run orgsim ({type(err).__name__}: {err}); "
            "install the same orgsim on every worker (docs/cluster.md)"
        ) from None
    for worker, found in sorted(theirs.items()):
        differ = differences(found, mine)
        if differ:
            raise ClusterError(
                f"{source} = {address!r}: worker {worker} runs {', '.join(differ)}; its runs "
                "would not be bit-identical: install the same versions on every worker"
            )
