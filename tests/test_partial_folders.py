"""Folders that are not whole are said to be so by every command that reads them.

- A finished run whose series (or levels) file is lost keeps its outcomes row: ``load``
  warns, the report's status is not "Complete", the export says so and writes no row of
  blanks, ``to_ema`` warns; all of them count the runs the sweep would run again.
- A sweep stopped before its end: ``discover`` and ``sensitivity`` say what the report's
  "Partial results" banner says; ``sensitivity`` fails when it has no index to give.
- A folder whose attempts ran other code: the report lists each attempt's code digest and
  says that its runs were made by different versions, as ``orgsim merge`` does.
- The messages of ``discover`` and ``sensitivity`` for options missing or mistyped.
"""

from __future__ import annotations

import json
import shutil
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from builders import paired_scenario

from simulator.cli import main
from simulator.export import export, to_ema
from simulator.report import write_report
from simulator.results import ResultsFolder, load
from simulator.scenario import Plan, parse_scenario
from simulator.sensitivity import SensitivityError, sensitivity
from simulator.sweep import RunResult, sweep

A, B = "culture.openness", "people.threshold_mean"  # (both on [0, 1])


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished sweep: 2 points x 2 arms x 2 replications, a file per run and table."""
    import tomllib

    text = paired_scenario("lost", seed=3, replications=2, steps=6, size=40)
    _, plan = parse_scenario(tomllib.loads(text))
    out = tmp_path_factory.mktemp("whole") / "r"
    sweep(plan, out, workers=1)
    return out


def without(whole: Path, tmp_path: Path, *files: str) -> Path:
    """A copy of ``whole`` with ``files`` (inside it) deleted."""
    out = tmp_path / "copy"
    shutil.copytree(whole, out, ignore=shutil.ignore_patterns("report", "export"))
    for file in files:
        (out / file).unlink()
    return out


SERIES = "series/arm=model/part-000-000000.parquet"
LEVELS = "levels/arm=delegate/part-000-000001.parquet"


def runs_of(out: Path, file: str) -> set[tuple[int, str, int]]:
    """The runs (point, arm, replication) of the outcomes file beside ``file``."""
    _, arm, name = file.split("/")
    rows = pd.read_parquet(out / "outcomes" / arm / name)
    return {
        (int(p), arm.removeprefix("arm="), int(r)) for p, r in rows[["point", "replication"]].values
    }


def test_load_warns_of_runs_that_lost_their_series_as_the_sweep_counts_them(
    whole: Path, tmp_path: Path
) -> None:
    out = without(whole, tmp_path, SERIES, LEVELS)
    lost_series, lost_levels = runs_of(out, SERIES), runs_of(out, LEVELS)
    with pytest.warns(UserWarning) as said:
        results = load(out)
    text = " ".join(str(w.message) for w in said)
    assert text.startswith(
        f"{out}: 2 of the 8 finished runs lost their series or levels file (series: 1 run,"
        f" levels: 1 run; {LEVELS}, {SERIES}): their outcomes are kept, but every curve and"
        " statistic of the series and levels tables leaves them out"
    )
    assert text.endswith(f"; 'orgsim sweep <scenario file> --out {out}' runs them again")
    assert set(results.lost.of("series")) == lost_series
    assert set(results.lost.of("levels")) == lost_levels
    assert len(results.outcomes) == 8  # (their outcomes are whole: kept)
    runs = results.series.groupby(["point", "arm", "replication"]).ngroups
    assert runs == 7
    # the sweep's own check runs again exactly the runs load says are lost
    _, plan = parse_scenario(json.loads((out / "manifest.json").read_text())["scenario"])
    with pytest.warns(UserWarning, match="2 finished run"):
        kept = ResultsFolder.open(out, plan).finished_keys()
    assert kept.isdisjoint(results.lost.runs) and len(kept) == 6


def rewritten(out: Path, file: str, name: str, **columns: Any) -> None:
    """Write ``file`` (inside ``out``) again as ``name`` beside it, ``columns`` set to those
    values in every row (their types kept)."""
    data = pq.read_table(out / file)
    for column, value in columns.items():
        field = data.schema.field(column)
        values = pa.array([value] * data.num_rows).cast(field.type)
        data = data.set_column(data.schema.get_field_index(column), field, values)
    pq.write_table(data, (out / file).with_name(name))


def test_a_failed_row_beside_no_series_file_is_no_lost_run(whole: Path, tmp_path: Path) -> None:
    """Only rows of status ``ok`` are finished runs: a ``failed`` row in an outcomes file
    (of another attempt) with no series file beside it is no run that lost its series."""
    out = without(whole, tmp_path)
    file = "outcomes/arm=model/part-000-000000.parquet"
    rewritten(out, file, "part-001-000009.parquet", status="failed", attempt=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not load(out).lost.runs
        _, plan = parse_scenario(json.loads((out / "manifest.json").read_text())["scenario"])
        assert len(ResultsFolder.open(out, plan).finished_keys()) == 8


def test_a_run_whose_last_attempt_lost_its_series_is_lost(whole: Path, tmp_path: Path) -> None:
    """A run finished twice keeps its last attempt (its series rows too): lost when that
    attempt's series file is gone, though the first attempt's is there."""
    out = without(whole, tmp_path)
    for table in ("outcomes", "levels"):  # (attempt 1 ran the task again; its series is gone)
        rewritten(
            out, f"{table}/arm=model/part-000-000000.parquet", "part-001-000000.parquet", attempt=1
        )
    gone = runs_of(out, SERIES)
    with pytest.warns(UserWarning, match="1 of the 8 finished runs lost their series file"):
        results = load(out)
    assert set(results.lost.runs) == gone
    kept = results.series.groupby(["point", "arm", "replication"]).ngroups
    assert kept == 7  # (what load says is lost is what the series lacks)
    _, plan = parse_scenario(json.loads((out / "manifest.json").read_text())["scenario"])
    with pytest.warns(UserWarning, match=r"1 finished run\(s\) lost their series or levels"):
        assert ResultsFolder.open(out, plan).finished_keys().isdisjoint(gone)


def test_a_shards_lost_runs_are_run_again_with_its_shard(whole: Path, tmp_path: Path) -> None:
    """The command said to run lost runs again is the one the folder takes: a shard's
    folder is refused without its ``--shard``."""
    out = without(whole, tmp_path, SERIES)
    manifest = json.loads((out / "manifest.json").read_text())
    (out / "manifest.json").write_text(json.dumps({**manifest, "shard": "1/2"}))
    again = f"'orgsim sweep <scenario file> --out {out} --shard 1/2' runs them again"
    with pytest.warns(UserWarning) as said:
        results = load(out)
        lines: list[str] = []
        export(out, "outcomes", say=lines.append)
        to_ema(results)
    assert sum(again in str(w.message) for w in said) == 3  # (load, export, to_ema)
    assert again in lines[0]


def test_a_whole_folder_loads_without_a_word(whole: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not load(whole).lost.runs


def test_the_report_of_a_folder_with_a_lost_series_file_is_not_complete(
    whole: Path, tmp_path: Path
) -> None:
    out = without(whole, tmp_path, SERIES)
    with pytest.warns(UserWarning, match="lost their series file"):
        page = write_report(out).read_text(encoding="utf-8")
    assert "Complete: every planned run finished" not in page
    assert (
        '<p class="banner warn">Not complete: 1 of the 8 finished runs lost their series file'
        " (series/arm=model/part-000-000000.parquet): their outcomes are kept, but every curve"
        " and statistic of the series table leaves them out" in page
    )


def test_the_export_says_which_runs_lost_their_series_and_writes_no_blank_rows(
    whole: Path, tmp_path: Path
) -> None:
    out = without(whole, tmp_path, SERIES)
    lines: list[str] = []
    with pytest.warns(UserWarning, match="lost their series file"):
        export(out, "all", say=lines.append)
        wide = export(out, "series", wide=True, out=tmp_path / "wide", say=lines.append)
    assert lines[0] == (
        f"{out}: 8 of 8 runs (1 of them lost their series file: they are in the outcomes"
        " table, not in the series, wide series and stats tables ('orgsim sweep <scenario"
        f" file> --out {out}' runs them again)) -> {out / 'export'}"
    )
    table = pd.read_csv(wide[0])
    assert len(table) == 7 and not table.filter(like="step_").isna().all(axis=1).any()
    gone = runs_of(out, SERIES)
    assert not gone & set(zip(table["point"], table["arm"], table["replication"], strict=True))
    assert len(pd.read_csv(out / "export" / "outcomes.csv")) == 8
    assert "1 of them lost their series file" in (out / "export" / "README.txt").read_text()


def test_to_ema_keeps_the_runs_that_lost_their_series_and_warns(
    whole: Path, tmp_path: Path
) -> None:
    out = without(whole, tmp_path, SERIES)
    with pytest.warns(UserWarning) as said:
        experiments, outcomes = to_ema(out)
    assert any("their rows of every series.<metric> array are NaN" in str(w.message) for w in said)
    assert len(experiments) == 8 and len(outcomes["poster"]) == 8
    assert int(np.isnan(outcomes["series.poster"]).all(axis=1).sum()) == 1


# -- a sweep not finished ------------------------------------------------------------------
def a_plan(design: dict[str, Any]) -> Plan:
    data = {
        "scenario": {"name": "part", "seed": 5, "replications": 1, "steps": 1},
        "arms": {"model": {"leaders.strategy": "model"}, "delegate": {}},
        "axes": [{"param": A}, {"param": B}],
        "design": design,
        "record": {"levels": False},
    }
    return parse_scenario(data, source="part")[1]


def some_of(plan: Plan, out: Path, keep: Callable[[Any], bool]) -> Path:
    """A folder holding the planned runs ``keep`` takes, finished (as a sweep stopped early),
    with outcomes known by construction: posters stay low where a < 0.3 and b > 0.5."""

    def outcome(spec: Any) -> dict[str, float]:
        x = plan.points[spec.point]
        low = x[A] < 0.3 and x[B] > 0.5
        return {"poster": 0.1 if low else 0.5, "reach": 0.2 + 0.5 * x[A]}

    folder = ResultsFolder.open(out, plan)
    attempt = folder.begin(plan.run_count)

    def series(spec: Any) -> dict[str, np.ndarray]:  # (every finished run has its series)
        return {"step": np.array([0, 1]), "poster": np.array([0.0, outcome(spec)["poster"]])}

    runs = [
        RunResult(s.point, s.arm, s.replication, outcome(s), series(s), None, None, 0.0)
        for s in plan.runs()
        if keep(s)
    ]
    folder.write(0, attempt, runs)
    folder.finish(attempt, len(runs), 0)
    return out


def test_discover_on_an_unfinished_folder_says_it_is_partial(tmp_path: Path) -> None:
    pytest.importorskip("ema_workbench")
    from simulator.discovery import question

    plan = a_plan({"kind": "lhs", "samples": 200})
    out = some_of(plan, tmp_path / "r", lambda s: s.point < 150)
    asked = question(out, "poster < 0.2", arm="model")
    assert asked.notes[0] == (
        "Partial results: 100 of 400 planned runs have not run (the sweep was interrupted or is"
        " still running). The box describes the finished runs only; resume the sweep to"
        " complete it."
    )
    whole = question(some_of(plan, tmp_path / "w", lambda s: True), "poster < 0.2", arm="model")
    assert not any(note.startswith("Partial results") for note in whole.notes)


def test_sensitivity_without_indices_on_a_partial_folder_fails_and_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = a_plan({"kind": "morris", "samples": 4})
    out = some_of(plan, tmp_path / "r", lambda s: s.point < len(plan.points) - 3)
    assert main(["sensitivity", str(out), "--metric", "reach"]) != 0
    said = capsys.readouterr()
    assert "no indices; 3 of" in said.out  # (each arm's note, as before)
    assert said.err.startswith(
        f"orgsim: error: {out}: no sensitivity indices: Partial results: 6 of"
    )
    assert "resume the sweep to complete it" in said.err
    assert not (out / "sensitivity.csv").exists()


def test_sensitivity_with_indices_on_a_partial_grid_says_it_is_partial(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = a_plan({"kind": "lhs", "samples": 40})
    out = some_of(plan, tmp_path / "r", lambda s: s.arm == "model" or s.point < 20)
    assert main(["sensitivity", str(out), "--metric", "reach"]) == 0
    said = capsys.readouterr().out
    assert said.startswith(
        "note: Partial results: 20 of 80 planned runs have not run (the sweep was interrupted"
        " or is still running). The indices describe the finished runs only; resume the sweep"
        " to complete it.\n"
    )


# -- runs made by other code -----------------------------------------------------------------
def test_the_report_says_each_attempts_code_and_that_they_differ(
    whole: Path, tmp_path: Path
) -> None:
    out = without(whole, tmp_path)
    manifest = json.loads((out / "manifest.json").read_text())
    first = manifest["attempts"][0]
    other = {**first, "attempt": 1, "versions": {**first["versions"], "orgsim code": "0123abcd"}}
    manifest["attempts"].append(other)
    (out / "manifest.json").write_text(json.dumps(manifest))
    page = write_report(out).read_text(encoding="utf-8")
    mine = first["versions"]["orgsim code"]
    assert f"failed, code {first['code_revision']}, orgsim code {mine}; attempt 1:" in page
    assert page.count(", orgsim code 0123abcd") == 1
    codes = ", ".join(sorted([mine, "0123abcd"]))
    assert f"{out}: its runs were made by different versions (orgsim code {codes})" in page
    assert "<b>Versions (of the first attempt):</b>" in page
    alone = write_report(whole).read_text(encoding="utf-8")
    assert "different versions" not in alone and "<b>Versions:</b>" in alone
    assert f"failed, code {first['code_revision']}</div>" in alone  # (as it was)


# -- messages --------------------------------------------------------------------------------
def test_discover_without_an_arm_names_the_two_options(
    whole: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("ema_workbench")
    assert main(["discover", str(whole), "--where", "poster > 0.1"]) != 0
    err = capsys.readouterr().err
    assert err.startswith("orgsim: error: give --arm ARM or --contrast ARM: the results have")
    assert "Invalid value" not in err
    assert main(["discover", str(whole), "--where", "poster > 0.1", "--contrast", "foo"]) != 0
    assert "'foo': no such arm; the arms are 'model'" in capsys.readouterr().err


def test_sensitivity_names_the_outcomes_for_a_metric_that_is_none(tmp_path: Path) -> None:
    out = some_of(a_plan({"kind": "lhs", "samples": 20}), tmp_path / "r", lambda s: True)
    with pytest.raises(SensitivityError) as typo:
        sensitivity(load(out), ["posters"])
    assert str(typo.value) == (
        "metric = 'posters': not an outcome; did you mean 'poster'? (the outcomes it can"
        " take: poster, reach)"
    )
    with pytest.raises(SensitivityError, match=r"^metric = 'foo': not an outcome \(the"):
        sensitivity(load(out), ["foo"])
    assert not sensitivity(load(out), ["reach", "t50"]).empty  # (an outcome not here: left out)
