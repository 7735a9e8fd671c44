"""Sweeps on a Dask cluster: bit-identical to local runs, a lost worker costs only its
unfinished runs, bad cluster addresses are refused in one line, nothing computed is lost.

Every cluster here is a real ``LocalCluster`` of 2 worker processes bound to 127.0.0.1 with
no dashboard, reached by its scheduler address as a remote cluster would be.
"""

from __future__ import annotations

import json
import os
import re
import signal
import threading
import tomllib
import warnings
from collections.abc import Iterator
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any

import pytest
from builders import paired_scenario

from simulator.cli import main
from simulator.cluster import ClusterError, WorkerMismatchError, connect
from simulator.results import load, read_table
from simulator.scenario import Plan, ScenarioError, parse_scenario
from simulator.sweep import ExecutorLostError, sweep

distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")

SCENARIO = paired_scenario(
    "cluster",
    seed=7,
    replications=12,
    steps=12,
    size=120,
    question="a small paired sweep for the cluster tests",
)


def cluster_plan(**run: Any) -> Plan:
    data = tomllib.loads(SCENARIO)
    if run:
        data["run"] = run
    return parse_scenario(data)[1]


def comparable(path: Path) -> tuple[Any, ...]:
    r = load(path)
    return (
        r.outcomes.drop(columns=["seconds", "attempt"]),
        r.series.drop(columns="attempt"),
        r.levels.drop(columns="attempt"),
    )


def assert_same(a: Path, b: Path) -> None:
    import pandas as pd

    for x, y in zip(comparable(a), comparable(b), strict=True):
        pd.testing.assert_frame_equal(x, y, check_exact=True)


@pytest.fixture(scope="module")
def local_results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("local") / "res"
    sweep(cluster_plan(), out, workers=1)
    return out


@pytest.fixture
def cluster(request: pytest.FixtureRequest) -> Iterator[Any]:
    """A LocalCluster on 127.0.0.1 (2 single-threaded worker processes, no dashboard);
    ``@pytest.mark.parametrize("cluster", [{config}], indirect=True)`` sets Dask config."""
    config = getattr(request, "param", {})
    with (
        dask.config.set(config),
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as running,
    ):
        assert running.scheduler_address.startswith("tcp://127.0.0.1:")
        yield running


def test_a_sweep_on_a_cluster_equals_the_local_sweep_bit_for_bit(
    cluster: Any, local_results: Path, tmp_path: Path
) -> None:
    plan = cluster_plan()
    summary = sweep(plan, tmp_path / "dask", cluster=cluster.scheduler_address)
    assert (summary.done, summary.failed) == (plan.run_count, 0)
    assert "Dask scheduler tcp://127.0.0.1" in summary.executor
    assert_same(local_results, tmp_path / "dask")
    manifest = load(tmp_path / "dask").manifest
    assert "Dask scheduler" in manifest["attempts"][-1]["executor"]


def test_the_workers_warnings_come_back_to_the_sweep_once(cluster: Any, tmp_path: Path) -> None:
    """On a cluster a worker's warning went to the worker's log, out of the user's sight."""
    data = tomllib.loads(SCENARIO)
    data["params"]["leaders"] = {"rules": [{"who": "level=9", "strategy": "listen"}]}
    plan = parse_scenario(data)[1]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sweep(plan, tmp_path / "w", cluster=cluster.scheduler_address)
    said = [str(w.message) for w in caught if "picks no leader" in str(w.message)]
    assert len(said) == 1, said


def other_code(really: bool) -> Any:
    """A function for ``client.run`` that makes a worker's orgsim look like other code (or
    its own again): the version string stays the same from one commit to the next."""

    def switch() -> None:  # defined here so that it travels by value
        import simulator.cluster
        import simulator.results_provenance as r

        real = r.__dict__.setdefault("_real_digest", r.code_digest)
        r.code_digest = (lambda: "0123456789ab") if really else real
        simulator.cluster.worker_versions.cache_clear()

    return switch


def test_a_worker_with_other_code_is_refused_when_the_sweep_connects(cluster: Any) -> None:
    with distributed.Client(cluster, set_as_default=False) as client:
        client.run(other_code(True))
        refused = pytest.raises(ClusterError, match=r"runs orgsim code 0123456789ab \(here ")
        with refused, connect(cluster.scheduler_address):
            pass


def test_a_worker_that_changes_after_the_check_stops_the_sweep_and_loses_nothing(
    cluster: Any, local_results: Path, tmp_path: Path
) -> None:
    """As a worker that joins after the sweep connected: its first task refuses to run, the
    sweep stops with one line, and what finished is kept; resumed, the sweep is identical."""
    plan = cluster_plan()
    with connect(cluster.scheduler_address) as pool:
        pool.client.run(other_code(True))
        with pytest.raises(WorkerMismatchError, match=r"worker tcp://127\.0\.0\.1:\d+ runs"):
            sweep(plan, tmp_path / "r", executor=pool)
        for table in ("outcomes", "failed"):  # no run ran there, none is recorded as failed
            assert read_table(tmp_path / "r", table).empty
        pool.client.run(other_code(False))
        summary = sweep(plan, tmp_path / "r", executor=pool)
    assert summary.failed == 0
    assert_same(local_results, tmp_path / "r")


@pytest.mark.parametrize(
    "cluster",
    [{"distributed.scheduler.allowed-failures": 0}, {}],
    ids=["dask-gives-up", "dask-reschedules"],
    indirect=True,
)
def test_killing_a_worker_mid_sweep_costs_only_its_unfinished_runs(
    cluster: Any, local_results: Path, tmp_path: Path
) -> None:
    """A worker is killed while it runs a task. With ``allowed-failures = 0`` Dask gives up
    on that task at once (``KilledWorker``) and the sweep runner resubmits it; with Dask's
    default (3) the scheduler reschedules it itself. Either way the sweep ends complete and
    equal to the local one, bit for bit."""
    plan = cluster_plan()
    marker = tmp_path / "worker_killed.txt"

    class DieOnFourthTask(distributed.WorkerPlugin):
        """On every worker: when a fourth task of the sweep starts executing there, the first
        worker to get that far creates the marker (atomically, so only one does) and SIGKILLs
        itself with that task running. Defined here so that it travels by value."""

        def setup(self, worker: Any) -> None:
            self.started = 0

        def transition(self, key: Any, start: str, finish: str, **kwargs: Any) -> None:
            if finish != "executing":
                return
            self.started += 1
            if self.started < 4:
                return
            try:
                os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            except FileExistsError:  # another worker went first
                return
            os.kill(os.getpid(), signal.SIGKILL)

    with distributed.Client(cluster, set_as_default=False) as client:
        client.register_plugin(DieOnFourthTask(), name="die-on-fourth-task")
        summary = sweep(
            plan, tmp_path / "killed", cluster=cluster.scheduler_address, pairs_per_task=1
        )
    killed = marker.exists()
    assert killed, "a worker should have been killed mid-sweep"
    assert (summary.done, summary.failed) == (plan.run_count, 0)
    if cluster.scheduler.allowed_failures == 0:
        assert summary.resubmitted >= 1  # the lost task came back through the runner
    raw = read_table(tmp_path / "killed", "outcomes", ["point", "arm", "replication", "status"])
    assert len(raw) == plan.run_count and not raw.duplicated().any()
    assert_same(local_results, tmp_path / "killed")


def test_a_sweep_that_loses_every_worker_says_so_and_goes_on_when_one_joins(
    cluster: Any, local_results: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every worker gone mid-sweep: the sweep waited without a word (35 s and more, until
    Ctrl-C). Now it says so when there has been none for a while (here 0.5 s), once, and
    ends complete, bit for bit, when a worker joins again."""
    import time

    import simulator.cluster

    monkeypatch.setattr(simulator.cluster, "NO_WORKERS_SAID", (0.5, 600.0))
    plan = cluster_plan()
    left: list[int] = []  # the runs done when every worker left

    def progress(done: int, total: int) -> None:
        if done and not left:  # (the first task done) every worker leaves
            left.append(done)
            cluster.scale(0)
            deadline = time.monotonic() + 60
            while cluster.scheduler.workers and time.monotonic() < deadline:
                time.sleep(0.05)

    def said() -> list[str]:
        return [str(w.message) for w in caught if "no workers" in str(w.message)]

    def rejoin() -> None:  # (in 30 s at the latest, said or not)
        deadline = time.monotonic() + 30
        while not said() and time.monotonic() < deadline:
            time.sleep(0.1)
        cluster.scale(1)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        threading.Thread(target=rejoin, daemon=True).start()
        summary = sweep(
            plan,
            tmp_path / "lost",
            cluster=cluster.scheduler_address,
            pairs_per_task=1,
            progress=progress,
        )
    assert len(said()) == 1, said()
    words = r"no workers on the scheduler for \d+ s; waiting \(Ctrl-C keeps the (\d+) saved runs\)"
    found = re.fullmatch(words, said()[0])
    assert found is not None, said()
    assert left[0] <= int(found.group(1)) < plan.run_count
    assert (summary.done, summary.failed) == (plan.run_count, 0)
    assert_same(local_results, tmp_path / "lost")


def test_no_workers_is_said_after_a_while_then_rarely_and_afresh_once_they_are_back() -> None:
    from simulator.cluster import NoWorkers

    threads = iter([0, 0, 0, 0, 0, 0, 2, 0, 0])
    clock = iter([0.0, 9.0, 10.0, 11.0, 309.0, 310.0, 311.0, 400.0, 410.0])
    watch = NoWorkers(threads.__next__, after=10, again=300, clock=clock.__next__)
    notes = [watch.note(saved=1) for _ in range(9)]
    said = [i for i, note in enumerate(notes) if note is not None]
    assert said == [2, 5, 8]  # (at 10 s, at 310 s; workers back at 311 s, none at 400 s)
    assert (
        notes[2] == "no workers on the scheduler for 10 s; waiting (Ctrl-C keeps the 1 saved run)"
    )
    assert notes[5] is not None and "for 310 s" in notes[5]


# -- the runner's resubmission, with a stand-in executor --------------------------------------
class LosingExecutor(Executor):
    """Runs tasks in this process, but 'loses' the first ``lose`` submissions of the tasks
    in ``victims`` (by index) as a dead Dask worker would; refuses work after ``stop``."""

    def __init__(self, victims: set[int], lose: int = 1, stop: int | None = None) -> None:
        from simulator.sweep import run_task

        self.run_task = run_task
        self.victims, self.lose, self.stop = victims, lose, stop
        self.losses: dict[int, int] = {}
        self.calls = 0

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        index = self.calls
        self.calls += 1
        if self.stop is not None and index >= self.stop:
            raise RuntimeError("cannot schedule new futures after shutdown")
        future: Future[Any] = Future()
        first = args[0][0]
        task = (first.point, first.replication)
        if task in self.victims and self.losses.get(hash(task), 0) < self.lose:
            self.losses[hash(task)] = self.losses.get(hash(task), 0) + 1
            future.set_exception(RuntimeError(f"worker lost with task {task} (KilledWorker)"))
        else:
            future.set_result(fn(*args, **kwargs))
        return future


def test_a_lost_task_is_resubmitted_and_its_runs_are_not_failed(
    local_results: Path, tmp_path: Path
) -> None:
    pool = LosingExecutor(victims={(0, 3), (1, 5)}, lose=2)
    summary = sweep(cluster_plan(), tmp_path / "r", executor=pool, workers=2, pairs_per_task=1)
    assert (summary.failed, summary.resubmitted) == (0, 4)
    assert_same(local_results, tmp_path / "r")


class CancellingAfter(Executor):
    """Runs ``keep`` tasks, then cancels every task: a Dask scheduler that died mid-sweep."""

    def __init__(self, keep: int) -> None:
        from simulator.sweep import run_task

        self.run_task, self.keep, self.calls = run_task, keep, 0

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.calls += 1
        future: Future[Any] = Future()
        if self.calls <= self.keep:
            future.set_result(fn(*args, **kwargs))
        else:
            future.cancel()
            future.set_running_or_notify_cancel()  # as an executor does: waiters are told
        return future


def test_tasks_cancelled_by_a_dead_scheduler_are_neither_failed_nor_resubmitted(
    local_results: Path, tmp_path: Path
) -> None:
    """They were counted as resubmitted and their runs recorded as failed."""
    with pytest.raises(ExecutorLostError, match="cancelled a task"):
        sweep(cluster_plan(), tmp_path / "r", executor=CancellingAfter(3), pairs_per_task=1)
    attempt = load(tmp_path / "r").manifest["attempts"][-1]
    assert (attempt["runs_done"], attempt["runs_failed"], attempt["tasks_resubmitted"]) == (6, 0, 0)
    assert read_table(tmp_path / "r", "failed").empty
    sweep(cluster_plan(), tmp_path / "r", workers=1)
    assert_same(local_results, tmp_path / "r")


def test_a_task_lost_more_often_than_the_retries_is_failed_then_resumed(
    local_results: Path, tmp_path: Path
) -> None:
    pool = LosingExecutor(victims={(1, 2)}, lose=10)
    first = sweep(
        cluster_plan(), tmp_path / "r", executor=pool, workers=2, pairs_per_task=1, retries=2
    )
    assert (first.failed, first.resubmitted) == (2, 2)  # one pair, after 2 resubmissions
    failed = load(tmp_path / "r").outcomes.query("status == 'failed'")
    assert set(failed["error"].str.slice(0, 12)) == {"task failed:"}
    again = sweep(cluster_plan(), tmp_path / "r", workers=1)
    assert (again.done, again.skipped) == (2, cluster_plan().run_count - 2)
    assert_same(local_results, tmp_path / "r")


def test_an_executor_that_stops_taking_work_stops_the_sweep_and_keeps_the_runs(
    local_results: Path, tmp_path: Path
) -> None:
    pool = LosingExecutor(victims=set(), stop=5)
    with pytest.raises(ExecutorLostError, match="run the sweep again to resume"):
        sweep(cluster_plan(), tmp_path / "r", executor=pool, workers=2, pairs_per_task=1)
    kept = load(tmp_path / "r").outcomes
    assert len(kept) == 5 * 2 and (kept["status"] == "ok").all()
    manifest = load(tmp_path / "r").manifest
    assert manifest["attempts"][-1]["runs_done"] == 10
    sweep(cluster_plan(), tmp_path / "r", workers=1)
    assert_same(local_results, tmp_path / "r")


# -- the command line and the scenario's [run] settings ----------------------------------------
@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "cluster.toml"
    path.write_text(SCENARIO + "\n[run]\nconnect_timeout = 2\n")
    return path


@pytest.mark.parametrize("address", ["http://host:8786", "tcp://host", "host:99999", "a b:1"])
def test_a_bad_cluster_address_is_one_line_naming_the_flag(
    scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], address: str
) -> None:
    code = main(["sweep", str(scenario_file), "--out", str(tmp_path / "x"), "--cluster", address])
    assert code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("orgsim: error: ")
    assert "'--cluster'" in lines[0] and repr(address) in lines[0]
    assert "tcp://host:port" in lines[0] and "Traceback" not in lines[0]
    assert not (tmp_path / "x").exists()


def test_an_unreachable_scheduler_loses_nothing_and_resume_still_works(
    scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "res"
    common = ["sweep", str(scenario_file), "--out", str(out), "--quiet", "--no-report"]
    stop_after = ["--workers", "1"]
    assert main([*common, *stop_after]) == 0
    before = load(out).outcomes
    capsys.readouterr()
    unreachable = "tcp://127.0.0.1:9"  # the discard port: nothing listens there
    assert main([*common, "--cluster", unreachable]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "--cluster = 'tcp://127.0.0.1:9'" in lines[0]
    assert re.search(r"no Dask scheduler there \(Connection refused\), after [\d.]+ s;", lines[0])
    assert "tcp://host:port" in lines[0]
    after = load(out)
    assert after.outcomes.drop(columns="seconds").equals(before.drop(columns="seconds"))
    assert main([*common, *stop_after]) == 0
    assert "0 runs done, 0 failed, 48 already done" in capsys.readouterr().out


def test_the_command_line_runs_on_a_cluster_given_by_flag_or_scenario(
    cluster: Any, scenario_file: Path, local_results: Path, tmp_path: Path, capsys: Any
) -> None:
    address = cluster.scheduler_address
    args = ["sweep", str(scenario_file), "--quiet", "--no-report"]
    assert main([*args, "--out", str(tmp_path / "flag"), "--cluster", address]) == 0
    assert "48 runs done, 0 failed" in capsys.readouterr().out
    assert_same(local_results, tmp_path / "flag")
    in_file = tmp_path / "in_file.toml"
    in_file.write_text(SCENARIO + f'\n[run]\ncluster = "{address.removeprefix("tcp://")}"\n')
    args[1] = str(in_file)
    assert main([*args, "--out", str(tmp_path / "file")]) == 0
    assert_same(local_results, tmp_path / "file")
    manifest = load(tmp_path / "file").manifest
    assert address in manifest["attempts"][-1]["executor"]
    assert manifest["digest"] == load(local_results).manifest["digest"]  # [run] is not results


def test_run_settings_are_validated_like_the_rest_of_the_file() -> None:
    data = tomllib.loads(SCENARIO)
    data["run"] = {"clustr": "tcp://h:1"}
    with pytest.raises(ScenarioError, match=r"run.clustr .*did you mean 'run.cluster'"):
        parse_scenario(data, source="s.toml")
    data["run"] = {"cluster": "http://h"}
    with pytest.raises(ScenarioError) as err:
        parse_scenario(data, source="s.toml")
    assert len(err.value.lines) == 1
    assert (
        "run.cluster = 'http://h'" in err.value.lines[0] and "tcp://host:port" in err.value.lines[0]
    )
    data["run"] = {"cluster": "10.0.0.5:8786", "workers": 4, "pairs_per_task": 8}
    scenario, plan = parse_scenario(data)
    assert scenario.run.cluster == "tcp://10.0.0.5:8786"
    assert plan.digest() == cluster_plan().digest()


class GoneClient:
    """A Dask client whose scheduler is gone: its futures never resolve."""

    status = "closed"

    def nthreads(self) -> dict[str, int]:
        return {"tcp://127.0.0.1:1": 1}


class NeverExecutor(Executor):
    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        return Future()


def test_a_client_that_lost_its_scheduler_stops_the_sweep_instead_of_hanging(
    tmp_path: Path,
) -> None:
    from simulator.cluster import DaskPool

    pool = DaskPool(GoneClient(), NeverExecutor(), "tcp://127.0.0.1:1")
    with pytest.raises(ExecutorLostError, match="lost its scheduler"):
        sweep(cluster_plan(), tmp_path / "r", executor=pool)
    manifest = load(tmp_path / "r").manifest
    assert manifest["attempts"][-1]["runs_done"] == 0 and "finished_utc" in manifest["attempts"][-1]


class CancellingExecutor(Executor):
    """Its scheduler went away before any worker took a task: every future is cancelled."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.cancel()
        future.set_running_or_notify_cancel()
        return future


def test_a_scheduler_gone_during_the_set_up_check_is_one_line_and_writes_nothing(
    tmp_path: Path,
) -> None:
    """It was a traceback ending in CancelledError."""
    with pytest.raises(ExecutorLostError, match="while the set-ups were checked"):
        sweep(cluster_plan(), tmp_path / "r", executor=CancellingExecutor(), check=True)
    assert not (tmp_path / "r").exists()


def test_a_port_that_is_no_scheduler_is_refused_in_time_not_waited_on_for_ever(
    tmp_path: Path,
) -> None:
    """A web server (or the scheduler's dashboard port) took the connection and never
    answered: the sweep hung with no output for over 10 minutes."""
    import http.server

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        address = f"tcp://127.0.0.1:{server.server_address[1]}"
        refused = pytest.raises(ClusterError, match="does not answer as a Dask scheduler")
        with refused, connect(address, timeout=2):
            pass
    finally:
        server.shutdown()


def test_scheduler_file_problems_are_told_apart_and_a_late_file_is_waited_for(
    cluster: Any, tmp_path: Path
) -> None:
    path = tmp_path / "scheduler.json"
    for text, words in (
        (None, "no scheduler file there (yet)"),
        ("{not json", "the scheduler file is not JSON"),
        ('{"id": 1}', "holds no scheduler address"),
    ):
        if text is not None:
            path.write_text(text)
        told: list[str] = []
        refused = pytest.raises(ClusterError, match=re.escape(words))
        with refused, connect(str(path), timeout=0.6, waiting=told.append):
            pass
        assert len(told) == 1 and words in told[0] and "waiting up to 0.6 s" in told[0]
    path.unlink()  # a batch job starts the scheduler and the sweep together
    timer = threading.Timer(
        1.0, lambda: path.write_text(json.dumps({"address": cluster.scheduler_address}))
    )
    timer.start()
    with connect(str(path), timeout=20) as pool:
        assert pool.threads(fresh=True) == 2


def test_executor_processes_runs_a_file_locally_whatever_its_run_cluster(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It went to the file's [run] cluster anyway (or failed when that was down)."""
    path = tmp_path / "c.toml"
    path.write_text(SCENARIO + '\n[run]\ncluster = "tcp://127.0.0.1:9"\nconnect_timeout = 1\n')
    out = tmp_path / "out"
    args = ["sweep", str(path), "--out", str(out), "--no-report", "--executor", "processes"]
    assert main(args) == 0, capsys.readouterr().err
    assert "local process" in load(out).manifest["attempts"][-1]["executor"]


def test_a_cluster_with_no_workers_yet_says_so_at_once_then_runs_when_one_joins(
    scenario_file: Path, tmp_path: Path
) -> None:
    """It printed nothing until a worker had joined (10 minutes in the helper's case), and
    then a header saying "no workers yet"."""
    import subprocess
    import sys

    with distributed.LocalCluster(
        n_workers=0, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
    ) as empty:
        args = ["sweep", str(scenario_file), "--no-report", "--out", str(tmp_path / "o")]
        process = subprocess.Popen(
            [sys.executable, "-m", "simulator.cli", *args, "--cluster", empty.scheduler_address],
            stderr=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert process.stderr is not None
        import select

        ready, _, _ = select.select([process.stderr], [], [], 60)
        if not ready:
            process.kill()
            pytest.fail("no word in a minute while the cluster has no workers")
        first = process.stderr.readline()
        assert "no workers at tcp://127.0.0.1:" in first and "waiting for one to join" in first
        empty.scale(1)
        _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert "1 worker thread(s)" in err and "no workers yet" not in err


def test_a_local_cluster_leaves_the_dashboard_port_to_the_user() -> None:
    """With 8787 taken (the port the docs give a user's own dashboard), --executor dask
    printed Dask's four-line 'Port 8787 is already in use' warning."""
    import socket

    from simulator.cluster import local_cluster

    with socket.socket() as taken:
        try:
            taken.bind(("127.0.0.1", 8787))
            taken.listen()
        except OSError:
            pass  # taken already: as wanted
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with local_cluster(1) as pool:
                assert pool.threads(fresh=True) == 1
    assert not [w for w in caught if "already in use" in str(w.message)]


def test_the_scenario_readme_documents_every_run_setting_with_its_default() -> None:
    from simulator.scenario import RunSettings

    text = (Path(__file__).resolve().parent.parent / "scenarios" / "README.md").read_text()
    section = re.split(r"\n##+ ", text.split("### `[run]`", 1)[1], maxsplit=1)[0]
    rows = [
        [c.strip() for c in line.strip().strip("|").split("|")]
        for line in section.splitlines()
        if line.startswith("| `")
    ]
    assert [r[0].strip("`") for r in rows] == list(RunSettings.model_fields)
    for row, info in zip(rows, RunSettings.model_fields.values(), strict=True):
        if isinstance(info.default, float):
            assert row[2] == f"`{info.default}`"
        else:
            assert info.default is None and row[2].startswith("none")
    assert "docs/cluster.md" in section


def test_a_relative_scheduler_file_is_the_scenario_files_neighbour_and_named_in_full(
    cluster: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """[run] cluster = "sched.json" was looked for in the current folder, not beside the
    file, and 'no scheduler file there (yet)' did not say where 'there' was."""
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "s.toml").write_text(SCENARIO + '\n[run]\ncluster = "sched.json"\nconnect_timeout = 1\n')
    monkeypatch.chdir(tmp_path)
    args = ["sweep", "sub/s.toml", "--quiet", "--no-report", "--out"]
    beside = (sub / "sched.json").resolve()
    assert main([*args, "none"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert f"run.cluster = '{beside}': no scheduler file there (yet)" in line
    beside.write_text(json.dumps({"address": cluster.scheduler_address}))
    assert main([*args, "file"]) == 0, capsys.readouterr().err
    assert "Dask scheduler" in load(tmp_path / "file").manifest["attempts"][-1]["executor"]
    # a path on the command line is the shell's: from the current folder, named in full
    assert main([*args, "flag", "--cluster", "sched.json"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    here = (tmp_path / "sched.json").resolve()
    assert f"--cluster = 'sched.json': no scheduler file at {here} (yet)" in line
