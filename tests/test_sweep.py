"""Sweeps: reproducible over workers and executors, resumable after SIGKILL, failures kept."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import tomllib
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from builders import paired_scenario, printed_in_a_fresh_process
from hypothesis import given, settings
from hypothesis import strategies as st

import simulator.sweep as sweep_module
import simulator.sweep_runs as runs_module
from simulator import OrgModel, Params
from simulator.analysis import contrasts
from simulator.metrics import outcome_columns
from simulator.report import write_report
from simulator.results import ResultsError, compare, load, read_table, rebuild
from simulator.scenario import SERIES_COLUMNS, Plan, parse_scenario
from simulator.sweep import _kept_steps, run, sweep

SCENARIO = paired_scenario(
    "tiny",
    seed=99,
    replications=3,
    steps=10,
    size=80,
    question="a small paired sweep for the tests",
)


def tiny_plan(**header: object) -> Plan:
    data = tomllib.loads(SCENARIO)
    data["scenario"].update(header)
    return parse_scenario(data)[1]


def comparable(path: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Results without wall-clock times or attempt numbers."""
    r = load(path)
    drop = ["seconds", "attempt"]
    return (
        r.outcomes.drop(columns=drop),
        r.series.drop(columns="attempt"),
        r.levels.drop(columns="attempt"),
    )


def assert_same(a: Path, b: Path) -> None:
    for x, y in zip(comparable(a), comparable(b), strict=True):
        pd.testing.assert_frame_equal(x, y, check_exact=True)


def test_one_and_two_workers_and_dask_give_identical_results(tmp_path: Path) -> None:
    plan = tiny_plan()
    summary = sweep(plan, tmp_path / "one", workers=1)
    assert (summary.done, summary.failed) == (plan.run_count, 0)
    sweep(plan, tmp_path / "two", workers=2, pairs_per_task=1)
    assert_same(tmp_path / "one", tmp_path / "two")
    distributed = pytest.importorskip("dask.distributed")
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        sweep(plan, tmp_path / "dask", executor=client.get_executor(), workers=2)
    assert_same(tmp_path / "one", tmp_path / "dask")


def test_a_worker_runs_its_tasks_without_pandas_or_arrow() -> None:
    """A local worker imports the engine as it starts, and runs its tasks without pandas
    or pyarrow (about a fifth of a second less at each start): only the parent writes the
    results. The parent process itself does not import the engine to plan and drive a
    sweep."""
    code = (
        "import sys, tomllib\n"
        "from simulator import sweep\n"
        "from simulator.scenario import parse_scenario\n"
        f"plan = parse_scenario(tomllib.loads({SCENARIO!r}))[1]\n"
        "print(sorted(m for m in ('simulator.engine', 'scipy.sparse') if m in sys.modules))\n"
        "sweep._worker_threads(1)\n"
        "results = sweep.run_task(list(plan.runs())[:2])\n"
        "assert all(r.ok for r in results), results\n"
        "print('simulator.engine' in sys.modules)\n"
        "print(sorted(m for m in ('pandas', 'pyarrow', 'mesa') if m in sys.modules))\n"
    )
    assert printed_in_a_fresh_process(code) == ["[]", "True", "[]"]


def test_results_hold_every_run_once_with_what_rebuilds_it(tmp_path: Path) -> None:
    plan = tiny_plan()
    sweep(plan, tmp_path / "r", workers=1)
    results = load(tmp_path / "r")
    out = results.outcomes
    assert len(out) == plan.run_count == 2 * 2 * 3
    assert not out.duplicated(["point", "arm", "replication"]).any()
    assert set(out["culture.openness"]) == {0.3, 0.8} and (out["seed"] == 99).all()
    labels = {0: "culture.openness = 0.3", 1: "culture.openness = 0.8"}
    assert results.point_labels == labels
    assert (results.series.groupby(["point", "arm", "replication"]).size() == 11).all()
    # arms of a pair share the organisation and streams: same initial state
    start = results.series[results.series["step"] == 0]
    assert start.groupby(["point", "replication"])["listener"].nunique().eq(1).all()
    # any single run can be rebuilt alone from its row
    row = out.sample(1, random_state=1).iloc[0]
    again = run(rebuild(results, int(row["point"]), row["arm"], int(row["replication"])))
    for metric in ("poster", "t10", "posts", "reach", "criticised"):
        assert again.outcomes[metric] == row[metric] or (
            pd.isna(again.outcomes[metric]) and pd.isna(row[metric])
        )
    series = results.series
    mine = series[
        (series["point"] == row["point"])
        & (series["arm"] == row["arm"])
        & (series["replication"] == row["replication"])
    ]
    assert mine["poster"].tolist() == again.series["poster"].tolist()
    with pytest.raises(ValueError, match="levels = 'first': must be 'all' or 'last'"):
        load(tmp_path / "r", levels="first")  # type: ignore[arg-type]
    # a run that was never planned is named, not rebuilt (replication 999 was rebuilt)
    for point, arm, rep, named in [
        (0, "modle", 0, "arm 'modle' (its arms are "),
        (0, row["arm"], 3, "replication 3 (it ran replications 0 to 2)"),
        (2, row["arm"], 0, "point 2 (the design has points 0 to 1)"),
    ]:
        with pytest.raises(ResultsError, match=re.escape(f"no such run planned: {named}")):
            rebuild(results, point, arm, rep)


def test_written_tables_read_back_as_the_runs_tables(tmp_path: Path) -> None:
    """Series and levels go to Parquet straight from the runs' arrays: read back, they are
    the runs' tables with their key columns, NaN stored as null (as from a DataFrame)."""
    import pyarrow.parquet as pq

    from simulator.results import ResultsFolder

    plan = tiny_plan()
    specs = list(plan.runs())[:4]
    results = [run(spec) for spec in specs]
    gap = results[1].series_columns
    assert gap is not None
    column = next(name for name, v in gap.items() if v.dtype.kind == "f")
    gap[column] = gap[column].copy()
    gap[column][2] = np.nan
    folder = ResultsFolder.open(tmp_path / "r", plan)
    attempt = folder.begin(len(specs))
    folder.write(0, attempt, results)
    for table, frame_of in (("series", "series"), ("levels", "levels")):
        got = read_table(tmp_path / "r", table)
        for r in results:
            mine = got[
                (got["point"] == r.point)
                & (got["arm"] == r.arm)
                & (got["replication"] == r.replication)
            ]
            want = getattr(r, frame_of)
            assert len(mine) == len(want) and (mine["attempt"] == attempt).all()
            pd.testing.assert_frame_equal(
                mine[list(want.columns)].reset_index(drop=True), want, check_exact=True
            )
    arm = results[1].arm
    stored = pq.read_table(
        tmp_path / "r" / "series" / f"arm={arm}" / f"part-{attempt:03d}-000000.parquet"
    )
    assert stored[column].null_count == 1


def test_files_of_different_schemas_read_as_each_alone_would(tmp_path: Path) -> None:
    """read_table joins files of one schema in Arrow; files whose columns or types differ
    (a whole-number axis in one task, fractions in another, a column missing) come out as
    pandas joins the files one by one: the same frame, arm by arm, in file order."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    files: dict[tuple[str, str], dict[str, list[object]]] = {
        ("b", "part-000-000000"): {"point": [0, 0], "x": [1, 2], "note": ["a", "b"]},
        ("b", "part-000-000001"): {"point": [1], "x": [3], "note": ["c"]},
        ("b", "part-000-000002"): {"point": [2, 2], "x": [0.5, 1.5], "note": ["d", None]},
        ("a", "part-000-000000"): {"point": [3], "x": [7]},
        ("a", "part-001-000000"): {"point": [4], "x": [8], "note": ["e"]},
        ("a", "failed-000-000000"): {"point": [5], "x": [9], "note": ["f"]},
    }
    for (arm, name), columns in files.items():
        folder = tmp_path / "outcomes" / f"arm={arm}"
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.table(columns), folder / f"{name}.parquet")
    one_by_one = [
        pd.DataFrame(files[arm, name]).assign(arm=arm)
        for arm, name in sorted(files)
        if name.startswith("part")
    ]
    want = pd.concat(one_by_one, ignore_index=True)
    got = read_table(tmp_path, "outcomes", pattern="part-*")
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert got["x"].dtype == np.float64 and got["point"].tolist() == [3, 4, 0, 0, 1, 2, 2]
    some = read_table(tmp_path, "outcomes", columns=["arm", "note", "gone"], pattern="*")
    assert some.columns.tolist() == ["note", "arm"]
    assert some["note"].dropna().tolist() == ["f", "e", "a", "b", "c", "d"]
    assert some["note"].isna().tolist() == [False, True, False, False, False, False, False, True]


RUN = st.tuples(st.integers(0, 1), st.sampled_from(["b", "a", "ab"]), st.integers(0, 2))
"""A run's point, arm and replication, from few values, so that runs meet often."""


@settings(max_examples=100, deadline=None)
@given(
    rows=st.lists(
        st.tuples(RUN, st.integers(0, 1), st.integers(0, 2), st.integers(0, 1)),
        min_size=1,
        max_size=40,
        unique=True,
    ),
    runs=st.lists(
        st.tuples(RUN, st.integers(0, 1)), min_size=1, max_size=12, unique_by=lambda r: r[0]
    ),
)
def test_series_rows_are_those_of_the_kept_attempts_sorted_by_run(
    rows: list[tuple[tuple[int, str, int], int, int, int]],
    runs: list[tuple[tuple[int, str, int], int]],
) -> None:
    """load keeps the levels (and series) rows of each run's kept attempt, sorted by run,
    week and level: what an inner merge with the outcome rows and a sort give, row for row,
    from a frame or from Arrow data as it is read."""
    import pyarrow as pa

    from simulator.results import _frame, _of_runs, _taken

    frame = pd.DataFrame(
        [(*run, attempt, step, level) for run, attempt, step, level in rows],
        columns=["point", "arm", "replication", "attempt", "step", "level"],
    ).assign(value=np.arange(len(rows)) * 0.5)
    kept = pd.DataFrame(
        [(*run, attempt) for run, attempt in runs],
        columns=["point", "arm", "replication", "attempt"],
    )
    want = frame.merge(kept, on=["point", "arm", "replication", "attempt"], how="inner")
    want = want.sort_values(["point", "arm", "replication", "step", "level"])
    want = want.reset_index(drop=True)
    pd.testing.assert_frame_equal(_of_runs(frame, kept, ["step", "level"]), want, check_exact=True)
    names, codes = np.unique(frame["arm"].to_numpy(dtype=str), return_inverse=True)
    data = pa.Table.from_pandas(frame, preserve_index=False)
    taken = _frame(_taken(data, codes, names, kept, ["step", "level"]))
    pd.testing.assert_frame_equal(taken, want, check_exact=True)


def test_levels_of_the_last_week_are_each_runs_last_recorded_week(tmp_path: Path) -> None:
    """load(levels="last"), as the report reads: each run's shares by level at its own last
    recorded week (an axis on the horizon puts runs of 4 and 7 weeks in one file), the rows
    that load gives for those weeks."""
    import tomllib

    text = SCENARIO.replace("values = [0.3, 0.8]", "values = [4, 7]").replace(
        'param = "culture.openness"', 'param = "steps"'
    )
    data = tomllib.loads(text.replace("steps = 10\n", ""))  # (swept: not fixed as well)
    data["record"] = {"every": 3}
    _, plan = parse_scenario(data)
    sweep(plan, tmp_path / "r", workers=1, pairs_per_task=6)
    every = load(tmp_path / "r").levels
    last = every.groupby(["point", "arm", "replication"])["step"].transform("max")
    want = every[every["step"] == last].reset_index(drop=True)
    assert sorted(want.groupby("point")["step"].unique().map(list).sum()) == [4, 7]
    got = load(tmp_path / "r", levels="last").levels
    pd.testing.assert_frame_equal(got, want, check_exact=True)


def test_a_failing_run_is_recorded_and_retried_on_resume(tmp_path: Path, monkeypatch) -> None:
    plan = tiny_plan()
    real_run = sweep_module.run_batch
    calls = {"n": 0}

    def flaky(specs):  # the first attempt at one run crashes
        if any(s.key == (1, "delegate", 2) for s in specs) and calls["n"] == 0:
            calls["n"] += 1
            raise RuntimeError("disk on fire")
        return real_run(specs)

    monkeypatch.setattr(runs_module, "run_batch", lambda specs, orgs=None: _guarded(flaky, specs))
    first = sweep(plan, tmp_path / "r", workers=1)
    assert (first.done, first.failed) == (plan.run_count - 1, 1)
    failed = load(tmp_path / "r").outcomes.query("status == 'failed'")
    assert len(failed) == 1 and "disk on fire" in failed["error"].iloc[0]
    second = sweep(plan, tmp_path / "r", workers=1)
    assert (second.done, second.failed, second.skipped) == (1, 0, plan.run_count - 1)
    results = load(tmp_path / "r")
    assert (results.outcomes["status"] == "ok").all() and len(results.outcomes) == plan.run_count
    sweep(plan, tmp_path / "clean", workers=1)
    assert_same(tmp_path / "r", tmp_path / "clean")


def _guarded(fn, specs):
    try:
        return fn(specs)
    except Exception as err:
        return [
            sweep_module.RunResult(
                spec.point,
                spec.arm,
                spec.replication,
                {},
                None,
                None,
                f"{type(err).__name__}: {err}",
                0.0,
            )
            for spec in specs
        ]


def test_another_scenario_is_refused(tmp_path: Path) -> None:
    sweep(tiny_plan(), tmp_path / "r", workers=1)
    with pytest.raises(
        ResultsError, match=r"another scenario.* differs in scenario.seed: 99 -> 100\."
    ):
        sweep(tiny_plan(seed=100), tmp_path / "r", workers=1)
    assert compare(tmp_path / "r", tmp_path / "r").identical
    sweep(tiny_plan(seed=100, replications=1), tmp_path / "s", workers=1)
    lines = compare(tmp_path / "r", tmp_path / "s").lines()
    assert lines[0] == (
        "A and B hold different scenarios: scenario.replications: 3 -> 1; scenario.seed: 99 -> 100"
    )
    assert "seed (" not in lines[1]  # a run's first differing outcome, not its seed
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(ResultsError, match="not a results folder"):
        sweep(tiny_plan(), tmp_path / "other", workers=1)


def test_replications_added_to_a_finished_folder_run_only_the_new_ones(tmp_path: Path) -> None:
    """A replication's seeds do not depend on how many there are ("adding replications
    keeps the seeds of the existing ones"), yet a folder with more asked of it was refused as
    another scenario. The grown folder equals one swept with the larger number at once."""
    sweep(tiny_plan(replications=2), tmp_path / "grown", workers=1)
    summary = sweep(tiny_plan(replications=3), tmp_path / "grown", workers=1)
    assert (summary.skipped, summary.done) == (8, 4)  # 2 points x 2 arms x 1 new replication
    sweep(tiny_plan(replications=3), tmp_path / "at_once", workers=1)
    assert compare(tmp_path / "grown", tmp_path / "at_once").identical
    manifest = load(tmp_path / "grown").manifest
    assert (manifest["replications"], manifest["runs_planned"]) == (3, 12)
    with pytest.raises(ResultsError, match=r"differs in scenario.replications: 3 -> 2\."):
        sweep(tiny_plan(replications=2), tmp_path / "grown", workers=1)  # fewer: refused
    # more of them past max_runs, which is raised with them, and the question reworded
    more = tiny_plan(replications=4, max_runs=500, question="Does it hold with more?")
    assert sweep(more, tmp_path / "grown", workers=1).done == 4
    with pytest.raises(ResultsError, match=r"differs in scenario.replications: 4 -> 2\. "):
        sweep(tiny_plan(replications=2, max_runs=10), tmp_path / "grown", workers=1)
    with pytest.raises(ResultsError, match=r"differs in scenario.seed: 99 -> 5\."):
        sweep(tiny_plan(replications=4, seed=5), tmp_path / "grown", workers=1)


def test_the_same_arms_in_another_order_are_refused_on_resume(tmp_path: Path) -> None:
    """The digest sorts the arms: swapped, the resume was taken, and the report kept the old
    baseline where a fresh folder takes the new one."""
    import tomllib

    sweep(tiny_plan(), tmp_path / "r", workers=1)
    data = tomllib.loads(SCENARIO)
    data["arms"] = dict(reversed(list(data["arms"].items())))
    swapped = parse_scenario(data)[1]
    assert swapped.digest() == tiny_plan().digest()
    with pytest.raises(ResultsError, match=r"arms in another order \(model, delegate; now"):
        sweep(swapped, tmp_path / "r", workers=1)


def test_a_resume_takes_a_reworded_question_and_a_new_cap_not_a_new_seed(
    tmp_path: Path,
) -> None:
    """A typo fixed in the question (or a higher max_runs) changes no run: resuming was
    refused as "another scenario". The folder then records the new wording."""
    import json

    out = tmp_path / "r"
    sweep(tiny_plan(), out, workers=1)
    for part in (out / "outcomes" / "arm=delegate").glob("*.parquet"):
        part.unlink()  # 6 runs to do again
    reworded = tiny_plan(question="Does modeling beat delegation?", max_runs=50_000)
    sweep(reworded, out, workers=1)
    results = load(out)
    assert len(results.outcomes) == 12 and results.manifest["complete"]
    assert results.manifest["question"] == "Does modeling beat delegation?"
    assert results.manifest["digest"] == reworded.digest() == tiny_plan().digest()

    def same(spec: Any) -> tuple[Any, ...]:
        return (spec.params, spec.seed.entropy, spec.seed.spawn_key)

    spec = rebuild(results, 1, "model", 2)  # from the manifest's (new) scenario
    assert same(spec) == same(reworded.spec(1, "model", 2))
    with pytest.raises(ResultsError, match="another scenario"):
        sweep(tiny_plan(seed=100, question="Does modeling beat delegation?"), out, workers=1)
    # a folder written before: its digest kept the wording
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["scenario"]["scenario"]["question"] = "old words"
    manifest["digest"] = parse_scenario(manifest["scenario"])[1].digest(wording=True)
    (out / "manifest.json").write_text(json.dumps(manifest))
    assert same(rebuild(load(out), 1, "model", 2)) == same(spec)
    sweep(tiny_plan(question="new words"), out, workers=1)
    assert load(out).manifest["question"] == "new words"


@pytest.mark.parametrize("table", ["series", "levels"])
def test_a_lost_series_or_levels_file_is_run_again_on_resume(tmp_path: Path, table: str) -> None:
    """Resume counted a run as finished from its outcome row alone: with its series (or
    levels) file deleted, the folder stayed without them for good."""
    from simulator.results import compare

    sweep(tiny_plan(), tmp_path / "whole", workers=1)
    sweep(tiny_plan(), tmp_path / "r", workers=1)
    lost = sorted((tmp_path / "r" / table / "arm=delegate").glob("*.parquet"))[0]
    runs = len(pd.read_parquet(tmp_path / "r" / "outcomes" / "arm=delegate" / lost.name))
    lost.unlink()
    with pytest.warns(UserWarning, match=rf"{runs} finished run\(s\) lost their series or lev"):
        summary = sweep(tiny_plan(), tmp_path / "r", workers=1)
    assert summary.done == runs
    assert compare(tmp_path / "whole", tmp_path / "r").identical
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert sweep(tiny_plan(), tmp_path / "r", workers=1).done == 0  # whole again


def test_readers_ignore_unfinished_temporary_files(tmp_path: Path) -> None:
    sweep(tiny_plan(), tmp_path / "r", workers=1)
    junk = tmp_path / "r" / "outcomes" / "arm=model" / ".part-001-000000.parquet.123.tmp"
    junk.write_bytes(b"PAR1 torn")
    assert len(load(tmp_path / "r").outcomes) == 12
    sweep(tiny_plan(), tmp_path / "r", workers=1)  # the next sweep clears what was torn
    assert not junk.exists() and len(load(tmp_path / "r").outcomes) == 12


KILL_SCENARIO = (
    SCENARIO.replace("replications = 3", "replications = 30")
    .replace("steps = 10", "steps = 20")
    .replace("org.size = 80", "org.size = 200")
)


def test_sigkill_mid_sweep_then_resume_equals_an_uninterrupted_sweep(tmp_path: Path) -> None:
    path = tmp_path / "kill.toml"
    path.write_text(KILL_SCENARIO)
    out = tmp_path / "killed"
    cmd = [
        sys.executable,
        "-m",
        "simulator.cli",
        "sweep",
        str(path),
        "--out",
        str(out),
        "--workers",
        "2",
        "--quiet",
        "--no-report",
    ]
    proc = subprocess.Popen(
        cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.time() + 120
    while time.time() < deadline:
        done = len(list(out.glob("outcomes/arm=*/part-*.parquet")))
        if done >= 6:
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    before = read_table(out, "outcomes", ["point", "arm", "replication", "status"])
    total = 2 * 2 * 30
    assert 0 < len(before) < total, "the kill should land mid-sweep"
    resumed = subprocess.run(
        [*cmd[:-2], "--no-report"], capture_output=True, text=True, check=False
    )
    assert resumed.returncode == 0, resumed.stderr
    raw = read_table(out, "outcomes", ["point", "arm", "replication", "status"])
    assert len(raw) == total  # no finished run lost or repeated
    assert not raw.duplicated(["point", "arm", "replication"]).any()
    clean = tmp_path / "clean"
    plan = parse_scenario(__import__("tomllib").loads(KILL_SCENARIO))[1]
    sweep(plan, clean, workers=2)
    assert_same(out, clean)


@settings(max_examples=12, deadline=None)
@given(
    replications=st.integers(1, 4),
    steps=st.integers(1, 9),
    every=st.integers(1, 4),
    names=st.lists(st.sampled_from(SERIES_COLUMNS), min_size=1, max_size=4, unique=True),
)
def test_a_batch_is_split_into_the_rows_of_the_tidy_tables(
    replications: int, steps: int, every: int, names: list[str]
) -> None:
    """The per-run columns a sweep writes are the tidy tables' rows of that replication at the
    kept steps, and the outcome columns are the outcomes table's."""
    params = Params().with_updates({"org.size": 40, "steps": steps})
    model = OrgModel(params, rng=list(range(replications)), agents=False).run()
    rec = model.recorder
    kept = _kept_steps(steps, every)
    assert kept[0] == 0 and kept[-1] == steps and set(np.diff(kept)) <= set(range(1, every + 1))
    series, levels = rec.frame(), rec.level_frame()
    for r, (got, got_levels) in enumerate(
        zip(rec.run_columns(kept, names), rec.run_level_columns(kept), strict=True)
    ):
        rows = series[(series["replication"] == r) & series["step"].isin(kept)]
        want = rows[["step", *names]].reset_index(drop=True)
        pd.testing.assert_frame_equal(pd.DataFrame(got), want, check_exact=True)
        rows = levels[(levels["replication"] == r) & levels["step"].isin(kept)]
        want = rows.drop(columns="replication").reset_index(drop=True)
        pd.testing.assert_frame_equal(pd.DataFrame(got_levels), want, check_exact=True)
    pd.testing.assert_frame_equal(pd.DataFrame(outcome_columns(rec)), model.outcomes())


@pytest.mark.parametrize("workers", [0, -1, 2.5, "2", True])
def test_a_worker_count_that_is_not_one_or_more_is_refused(workers: Any, tmp_path: Path) -> None:
    """0 meant every CPU and -1 this process, silently; "2" and 2.5 gave bare TypeErrors."""
    with pytest.raises(ValueError, match=r"must be a whole number >= 1 \(1: this process\)"):
        sweep(tiny_plan(), tmp_path / "r", workers=workers)
    assert not (tmp_path / "r").exists()


def test_a_second_sweep_into_a_folder_being_written_is_refused(tmp_path: Path) -> None:
    """Two sweeps at once numbered both attempts 0 and overwrote each other's files: 952 of
    1,200 runs kept, series rows doubled, and both said '1,200 runs done'."""
    from simulator.results import writing

    plan, out = tiny_plan(), tmp_path / "r"
    with writing(out):  # a sweep holding the folder
        with pytest.raises(ResultsError, match=r"another sweep is writing to this folder \(pid"):
            sweep(plan, out, workers=1)
        assert not (out / "manifest.json").exists()
    assert sweep(plan, out, workers=1).done == plan.run_count  # free again once it ends


@pytest.mark.parametrize("workers", [1, 2])
def test_a_warning_names_the_arm_whose_setting_raises_it(tmp_path: Path, workers: int) -> None:
    """A rule in one arm that picks no leader was named 'leaders.rules[0]', which could have
    been any arm's; a rule in [params] is every arm's, and keeps its plain name."""
    text = SCENARIO.replace(
        'leaders.strategy = "delegate"',
        'leaders.strategy = "delegate"\nleaders.rules = [{ who = "level=8", strategy = "model" }]',
    ).replace("org.size = 80", 'org.size = 80\nleaders.rules = [{ who = "level=9" }]')
    plan = parse_scenario(tomllib.loads(text))[1]
    with warnings.catch_warnings(record=True) as raised:
        warnings.simplefilter("always")
        sweep(plan, tmp_path / "w", workers=workers)
    said = sorted({str(w.message).split(" (who")[0] for w in raised})
    assert said == ["arms.delegate.leaders.rules[0]", "leaders.rules[0]"], said
    assert all("'level=8'" in str(w.message) for w in raised if "arms." in str(w.message))


def test_an_arm_that_sets_a_swept_parameter_is_recorded_at_its_own_value(tmp_path: Path) -> None:
    """Its rows carried the design point's value, which it never ran at: summaries and
    contrasts grouped it by settings it did not have, without a word."""
    text = SCENARIO.replace(
        'leaders.strategy = "delegate"', 'leaders.strategy = "delegate"\nculture.openness = 0.9'
    )
    plan = parse_scenario(tomllib.loads(text))[1]
    with pytest.warns(UserWarning, match=r"arm delegate sets culture\.openness = 0\.9 itself"):
        sweep(plan, tmp_path / "r", workers=1)
    outcomes = load(tmp_path / "r").outcomes
    keys = zip(outcomes["point"], outcomes["arm"], outcomes["replication"], strict=True)
    ran = dict(zip(keys, outcomes["culture.openness"], strict=True))
    for (point, arm, replication), value in ran.items():
        params = rebuild(load(tmp_path / "r"), point, arm, replication).params
        assert value == params.culture.openness, (point, arm)
    assert {v for (_, arm, _), v in ran.items() if arm == "delegate"} == {0.9}
    assert {v for (_, arm, _), v in ran.items() if arm == "model"} == {0.3, 0.8}
    # a contrast at a design point is labelled with the point's value, and the arm's own
    paired = contrasts(outcomes, ["model", "delegate"], ["poster"])
    assert paired["culture.openness"].tolist() == [0.3, 0.8]
    assert paired["arm_values"].tolist() == ["culture.openness = 0.9"] * 2
    assert "arm_values" not in contrasts(outcomes[outcomes["arm"] == "model"], ["model", "x"])
    text = write_report(tmp_path / "r").read_text(encoding="utf-8")
    assert text.count("<td>delegate (at culture.openness = 0.9)</td>") == 2  # a row per point


def test_a_contrast_whose_baseline_sets_the_swept_parameter_is_labelled_right(
    tmp_path: Path,
) -> None:
    """With one point (openness 0.3) and the baseline setting 0.9, every arm had one value,
    and the contrast took the baseline's as the point's: "point 0, openness 0.9, delegate
    at openness 0.3", the reverse of what ran."""
    text = SCENARIO.replace(
        'leaders.strategy = "model"', 'leaders.strategy = "model"\nculture.openness = 0.9'
    ).replace("[0.3, 0.8]", "[0.3]")
    plan = parse_scenario(tomllib.loads(text))[1]
    with pytest.warns(UserWarning, match="arm model sets culture.openness"):
        sweep(plan, tmp_path / "r", workers=1)
    paired = contrasts(load(tmp_path / "r").outcomes, ["model", "delegate"], ["poster"])
    assert paired["culture.openness"].tolist() == [0.3]
    assert paired["arm_values"].tolist() == [""]
    assert paired["baseline_values"].tolist() == ["culture.openness = 0.9"]
    two = parse_scenario(tomllib.loads(text.replace("[0.3]", "[0.3, 0.8]")))[1]
    with pytest.warns(UserWarning, match="arm model sets culture.openness"):
        sweep(two, tmp_path / "two", workers=1)
    html = write_report(tmp_path / "two").read_text(encoding="utf-8")  # (a row per point)
    assert html.count("<td>delegate (against model at culture.openness = 0.9)</td>") == 2


@pytest.mark.parametrize(
    ("written", "axis", "plain"),
    [
        ('["0.3", "0.8"]', "culture.openness", [0.3, 0.8]),
        ('["true", "false"]', "delegation.followed", [True, False]),
    ],
)
def test_numbers_written_as_text_are_recorded_as_numbers(
    written: str, axis: str, plain: list[Any]
) -> None:
    """The parameters take "0.3" as 0.3, but the points kept the text: the outcomes' column
    held text, the report drew the values as categories in file order, and the same
    scenario written with numbers was another one (another digest)."""
    text = SCENARIO.replace('"culture.openness"', f'"{axis}"')
    as_text = parse_scenario(tomllib.loads(text.replace("[0.3, 0.8]", written)))[1]
    as_numbers = parse_scenario(tomllib.loads(text.replace("[0.3, 0.8]", str(plain).lower())))[1]
    assert as_text.points == [{axis: v} for v in plain]
    assert all(type(p[axis]) is type(v) for p, v in zip(as_text.points, plain, strict=True))
    assert as_text.digest() == as_numbers.digest()


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("org.size = 80", 'org.size = "80"'),  # in [params]
        ('leaders.strategy = "delegate"', 'leaders.strategy = "delegate"\nleaders.rate = "2.5"'),
    ],
)
def test_a_number_written_as_text_elsewhere_is_the_same_scenario(old: str, new: str) -> None:
    """In [params] or an arm, "80" still made another digest than 80 (helper-40)."""
    as_text = parse_scenario(tomllib.loads(SCENARIO.replace(old, new)))[1]
    plain = new.replace('"80"', "80").replace('"2.5"', "2.5")
    as_numbers = parse_scenario(tomllib.loads(SCENARIO.replace(old, plain)))[1]
    assert as_text.digest() == as_numbers.digest()


def test_a_text_number_in_params_is_a_number_when_the_first_arm_sets_it_too() -> None:
    """The first arm's parameters were read for [params]' values: where it sets the key
    itself, the other arms ran at 0.5 and the digest held '0.5' (helper-41)."""
    text = SCENARIO.replace("org.size = 80", 'org.size = 80\npeople.innovators = "0.05"')
    first = 'leaders.strategy = "model"\npeople.innovators = 0.1'
    plan = parse_scenario(tomllib.loads(text.replace('leaders.strategy = "model"', first)))[1]
    assert plan.base["people.innovators"] == 0.05


def test_a_folder_whose_scenario_wrote_numbers_as_text_resumes_and_rebuilds(
    tmp_path: Path,
) -> None:
    """Folders written before numbers in text were recorded as numbers hold the digest of
    the text: a resume was refused as another scenario, and rebuild too."""
    plan = parse_scenario(tomllib.loads(SCENARIO.replace("[0.3, 0.8]", '["0.3", "0.8"]')))[1]
    assert plan.as_written is not None and plan.digest(as_written=True) != plan.digest()
    out = tmp_path / "r"
    sweep(plan, out, workers=1)
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["digest"] = plan.digest(as_written=True)  # (as the folder's old code wrote it)
    (out / "manifest.json").write_text(json.dumps(manifest))
    assert sweep(plan, out, workers=1).done == 0  # all there: taken as the same runs
    results = load(out)
    row = results.outcomes.iloc[0]
    spec = rebuild(results, int(row["point"]), row["arm"], int(row["replication"]))
    assert run(spec).outcomes["poster"] == row["poster"]


@pytest.mark.parametrize(
    ("axis", "values", "own", "want"),
    [
        ("culture.openness", "[0, 1]", "0.5", {0.0, 1.0, 0.5}),  # whole numbers on the axis
        ("leaders.stop", "[2, 3]", '"none"', {2, 3, None}),  # none, as TOML says it
    ],
)
def test_an_arm_overriding_an_axis_with_another_kind_of_value_is_recorded(
    tmp_path: Path, axis: str, values: str, own: str, want: set[Any]
) -> None:
    """The column's type came from the design points alone: 0.5 on an axis of whole numbers,
    or none on an axis of weeks, stopped the sweep with a pyarrow traceback."""
    text = SCENARIO.replace('"culture.openness"', f'"{axis}"').replace("[0.3, 0.8]", values)
    text = text.replace('leaders.strategy = "delegate"', f"{axis} = {own}")
    plan = parse_scenario(tomllib.loads(text))[1]
    with pytest.warns(UserWarning, match="itself, which the design sweeps"):
        assert sweep(plan, tmp_path / "r", workers=1).failed == 0
    recorded = load(tmp_path / "r").outcomes[axis]
    assert {None if pd.isna(v) else v for v in recorded} == want


def children_of(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def running(pid: int) -> bool:
    """Whether ``pid`` is alive (an exited process not yet reaped, a zombie, is not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_workers_end_when_their_sweep_is_killed_alone(tmp_path: Path) -> None:
    """kill PID (or the OOM killer) left both workers waiting for work for ever, ~195 MB
    each; 16 of them were found alive after 30 minutes."""
    path = tmp_path / "kill.toml"
    path.write_text(KILL_SCENARIO)
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "simulator.cli", "sweep", str(path), "--out", str(out)]
    proc = subprocess.Popen(
        [*cmd, "--workers", "2", "--quiet", "--no-report"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 120
    while time.time() < deadline and not list(out.glob("outcomes/arm=*/part-*.parquet")):
        time.sleep(0.05)
    workers = [
        w
        for w in children_of(proc.pid)
        if "spawn" in Path(f"/proc/{w}/cmdline").read_bytes().decode(errors="replace")
    ]
    assert len(workers) == 2
    proc.kill()  # the sweep alone, not its process group
    proc.wait()
    deadline = time.time() + 30
    while time.time() < deadline and any(running(w) for w in workers):
        time.sleep(0.1)
    alive = [w for w in workers if running(w)]
    for w in alive:
        os.kill(w, signal.SIGKILL)
    assert not alive


def test_every_table_reads_whole_with_any_parquet_reader(tmp_path: Path) -> None:
    """pandas read the first file's columns only: failed rows (first by name) hid every
    outcome, a points design's missing axis hid its column, and 0 then 0.5 on an axis
    raised 'Float value 0.500000 was truncated'."""
    import tomllib

    data = tomllib.loads(SCENARIO)
    del data["axes"]
    data["design"] = {
        "kind": "points",
        "points": [{"culture.openness": 0}, {"culture.openness": 0.5, "org.span": 4}],
    }
    data["arms"]["broken"] = {  # valid, but no run can start: failed rows
        "leaders": {"strategy": "delegate"},
        "delegation": {"mode": "comms_team", "comms_team_size": 500},
    }
    plan = parse_scenario(data)[1]
    sweep(plan, tmp_path / "r", workers=1, pairs_per_task=1)
    outcomes = pd.read_parquet(tmp_path / "r" / "outcomes")
    assert len(outcomes) == 2 * 2 * 3 and {"poster", "t10", "org.span"} <= set(outcomes)
    assert outcomes["culture.openness"].dtype == float
    assert sorted(outcomes["org.span"].dropna().unique()) == [4]
    failed = pd.read_parquet(tmp_path / "r" / "failed")
    assert len(failed) == 2 * 3 and set(failed["arm"]) == {"broken"}
    assert failed["error"].str.contains("comms_team_size").all()
    assert len(load(tmp_path / "r").outcomes) == plan.run_count


def test_resuming_with_other_code_warns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A resume with a changed model mixed its runs with the earlier ones without a word.
    Code is told apart by the digest of its source: an edit to uncommitted code kept the
    revision ('+dirty') and was taken without a word, and a commit that changed no source
    (docs only) was warned about."""
    import json

    import simulator.results_provenance

    def resumed(out: Path, digest: str | None = None, revision: str | None = None) -> None:
        next(out.glob("outcomes/arm=model/part-*.parquet")).unlink()  # runs left to do
        with monkeypatch.context() as patched:
            if digest is not None:
                patched.setattr(simulator.results_provenance, "code_digest", lambda: digest)
            if revision is not None:
                patched.setattr(simulator.results_provenance, "code_revision", lambda: revision)
            assert sweep(tiny_plan(), out, workers=1).done > 0

    out = tmp_path / "r"
    sweep(tiny_plan(), out, workers=1)
    with pytest.warns(UserWarning, match=r"earlier runs were made by orgsim .* \(code \w{12}\);"):
        resumed(out, digest="0123456789ab")  # an edit, same revision
    with pytest.warns(UserWarning, match=r"this is orgsim .* \(code 0123456789ab\)"):
        resumed(out, digest="0123456789ab", revision="0123abc")
    # the same code at another revision (a commit that changed only the docs): no warning
    same = tmp_path / "same"
    sweep(tiny_plan(), same, workers=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        resumed(same, revision="0123abc")
        resumed(same)
    # attempts recorded before the digest: told apart by version and revision
    manifest = json.loads((same / "manifest.json").read_text())
    for attempt in manifest["attempts"]:
        del attempt["versions"]["orgsim code"]
    (same / "manifest.json").write_text(json.dumps(manifest))
    with pytest.warns(UserWarning, match=r"made by orgsim [^;]* at 0123abc; this is"):
        resumed(same)


def test_ctrl_c_stops_a_pools_workers_rather_than_waiting_for_their_tasks() -> None:
    """After Ctrl-C the pool waited for its running tasks, and a second Ctrl-C in that wait
    hung the sweep for good (3 of 4 double Ctrl-Cs): the workers never heard to stop."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"))
    running = [pool.submit(time.sleep, 3) for _ in range(2)]
    workers = list(pool._processes.values())  # (started by the submits)
    with pytest.raises(KeyboardInterrupt), sweep_module._owned(pool):
        time.sleep(0.5)
        raise KeyboardInterrupt
    assert [w.exitcode for w in workers] == [-signal.SIGTERM] * 2  # stopped, not finished
    assert not any(f.done() and not f.cancelled() and f.exception() is None for f in running)


def test_a_table_not_recorded_reads_back_with_its_key_columns(tmp_path: Path) -> None:
    """[record] levels = false gave a levels table with no columns: results.levels["level"]
    raised KeyError where an empty table was meant."""
    import tomllib

    data = tomllib.loads(SCENARIO)
    data["record"] = {"levels": False}
    sweep(parse_scenario(data)[1], tmp_path / "r", workers=1)
    levels = load(tmp_path / "r").levels
    assert levels.empty and {"point", "arm", "replication", "step", "level"} <= set(levels)


def _sigint_handler() -> Any:
    return signal.getsignal(signal.SIGINT)


def test_ctrl_c_is_left_to_the_sweeps_process_not_its_workers() -> None:
    """Ctrl-C reaches the whole process group: a worker waiting for work printed a
    KeyboardInterrupt traceback before the sweep's 'interrupted' line (1 in 6 tries);
    the sweep's own process stops its workers."""
    pool = sweep_module.default_executor(1)
    try:
        assert pool.submit(_sigint_handler).result(timeout=120) == signal.SIG_IGN
    finally:
        pool.shutdown()


def test_where_two_scenarios_differ_the_header_comes_first() -> None:
    """A new seed redraws every sampled point: its line came after theirs, in '9 more'."""
    from simulator.results import scenario_differences

    a = {"points": [{"x": 1}, {"x": 2}], "scenario": {"seed": 1, "name": "s"}}
    b = {"points": [{"x": 3}, {"x": 4}], "scenario": {"seed": 2, "name": "s"}}
    assert scenario_differences(a, b, shown=2) == [
        "scenario.seed: 1 -> 2",
        "points[0].x: 1 -> 3",
        "1 more",
    ]


def test_with_axes_puts_each_runs_swept_values_on_its_rows(tmp_path: Path) -> None:
    sweep(tiny_plan(replications=2), tmp_path / "r", workers=1)
    results = load(tmp_path / "r")
    weekly = results.with_axes(results.series)
    assert len(weekly) == len(results.series) and weekly["culture.openness"].notna().all()
    by_run = results.outcomes.set_index(["point", "arm", "replication"])["culture.openness"]
    for (point, arm, rep), rows in weekly.groupby(["point", "arm", "replication"]):
        assert set(rows["culture.openness"]) == {by_run[(point, arm, rep)]}
    assert set(weekly["culture.openness"]) == {0.3, 0.8}
    with pytest.raises(ValueError, match=r"by point, arm, replication; this one has no arm"):
        results.with_axes(results.series.drop(columns="arm"))


def test_a_pool_not_entered_is_named_before_anything_is_written(tmp_path: Path) -> None:
    """cluster.md showed local_cluster(2) passed as it is: the sweep said 'the executor
    stopped taking work ... run the sweep again to resume'."""
    from simulator.cluster import local_cluster

    with pytest.raises(TypeError, match=r"in a with statement \(with local_cluster\(2\) as"):
        sweep(tiny_plan(), tmp_path / "r", executor=local_cluster(2))  # type: ignore[arg-type]
    assert not (tmp_path / "r").exists()


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="no CPU affinity here")
def test_workers_default_to_the_cpus_this_process_may_use(tmp_path: Path) -> None:
    """A batch job given one of the machine's CPUs (Slurm, taskset) got a worker per CPU of
    the whole machine from sweep(), and 2 from orgsim sweep whatever it had."""
    scenario = tmp_path / "s.toml"
    scenario.write_text(
        '[scenario]\nname = "s"\nseed = 1\nreplications = 2\nsteps = 2\n'
        '[params]\norg.size = 40\n[arms.model]\nleaders.strategy = "model"\n'
    )
    code = (
        "import os, sys; os.sched_setaffinity(0, {min(os.sched_getaffinity(0))});"
        "from simulator.sweep import cores; print(cores(), flush=True);"
        "from simulator.cli import main; sys.exit(main(['validate', sys.argv[1]]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(scenario)], capture_output=True, text=True, check=True
    )
    assert out.stdout.splitlines()[0] == "1"
    assert " on 1 worker(s) " in out.stdout.splitlines()[-1], out.stdout


def test_a_script_without_the_main_guard_is_told_to_add_it(tmp_path: Path) -> None:
    """Each spawned worker imports the script and so started the sweep again, failing on
    the folder's lock; the sweep said only that its process pool broke, and "run the sweep
    again to resume", which failed the same way."""
    script = tmp_path / "study.py"
    script.write_text(
        "from simulator.scenario import parse_scenario\n"
        "from simulator.sweep import sweep\n"
        "data = {'scenario': {'name': 's', 'seed': 1, 'replications': 4, 'steps': 2},\n"
        "        'params': {'org.size': 40}, 'arms': {'model': {'leaders.strategy': 'model'}}}\n"
        f"sweep(parse_scenario(data)[1], {str(tmp_path / 'out')!r}, workers=2)\n"
    )
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path
    )
    assert out.returncode != 0
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith("simulator.sweep.ExecutorLostError: ") and "BrokenProcessPool" in last
    assert "study.py: a script that calls sweep() with workers > 1 must call it under `if" in last
    assert "sweep() was called in a worker process as it started" in out.stderr  # (a worker's)
    assert "another sweep is writing to this folder" not in out.stderr
