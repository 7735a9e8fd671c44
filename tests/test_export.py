"""orgsim export: a results folder as spreadsheet tables, and as the EMA Workbench's shape."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from builders import paired_scenario

from simulator import export as export_module
from simulator.cli import main
from simulator.cli_export import FORMAT_CHOICES, TABLE_CHOICES
from simulator.export import ExportError, outcomes_table, to_ema
from simulator.plots import label
from simulator.results import ResultsFolder, load
from simulator.scenario import load_scenario

SCENARIO = paired_scenario(
    "export",
    seed=5,
    replications=2,
    steps=4,
    size=40,
    question="export a two-axis grid",
    extra='\n[[axes]]\nparam = "org.span"\nvalues = [3, 5]\n',
)
DESIGN = {0: (0.3, 3), 1: (0.3, 5), 2: (0.8, 3), 3: (0.8, 5)}
"""The grid by hand: the first axis varies slowest."""
KEY = ["point", "arm", "replication"]
RUNS = 4 * 2 * 2  # points x arms x replications


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("export")
    (folder / "export.toml").write_text(SCENARIO)
    args = [str(folder / "export.toml"), "--out", str(folder / "res"), "--workers", "1"]
    assert main(["sweep", *args, "--quiet", "--no-report"]) == 0
    return folder / "res"


@pytest.fixture
def results(swept: Path, tmp_path: Path) -> Path:
    """A copy of the sweep's folder, for a test to export into (or damage)."""
    return Path(shutil.copytree(swept, tmp_path / "res"))


def _export(capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    """``orgsim export ARGS``; its printed lines (exit 0)."""
    code = main(["export", *args])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    return printed.out.strip().splitlines()


def test_every_run_is_a_row_once_with_its_swept_values(
    results: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = _export(capsys, str(results))
    assert lines[0] == f"{results}: 16 of 16 runs -> {results / 'export'}"
    folder = results / "export"
    assert lines[1:] == [
        f"  {folder / 'outcomes.csv'} (16 rows)",
        f"  {folder / 'series.csv'} (80 rows)",  # weeks 0 to 4
        f"  {folder / 'levels.csv'} ({len(load(results).levels):,} rows)",
        f"  {folder / 'stats.csv'} ({4 * 2 * 12 * 5} rows)",  # points, arms, metrics, weeks
        f"  {folder / 'README.txt'} (what each column is, and its unit)",
    ]
    outcomes = pd.read_csv(folder / "outcomes.csv")
    assert list(outcomes.columns[:6]) == [*KEY, "seed", "culture.openness", "org.span"]
    assert len(outcomes) == RUNS and not outcomes.duplicated(KEY).any()
    assert set(outcomes["arm"]) == {"model", "delegate"}
    assert (outcomes["seed"] == 5).all()
    for table in ("outcomes", "series", "levels"):
        rows = pd.read_csv(folder / f"{table}.csv")
        swept_at = rows[["culture.openness", "org.span"]].apply(tuple, axis=1)
        assert (swept_at == rows["point"].map(DESIGN)).all(), table
        assert rows.groupby(KEY).ngroups == RUNS
    series = pd.read_csv(folder / "series.csv")
    assert all(steps == [0, 1, 2, 3, 4] for steps in series.groupby(KEY)["step"].apply(list))
    assert "attempt" not in series and "seconds" not in outcomes and "status" not in outcomes
    # the first arm (the baseline) first at each point, as the scenario lists them
    assert outcomes["arm"].tolist()[:4] == ["model", "model", "delegate", "delegate"]
    before = load(results).outcomes.set_index(KEY)["poster"]
    pd.testing.assert_series_equal(
        outcomes.set_index(KEY)["poster"].sort_index(), before.sort_index(), check_exact=True
    )


def test_stats_are_the_replications_mean_sd_and_quantiles(
    results: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _export(capsys, str(results), "--table", "stats", "--out", str(results / "x"))
    stats = pd.read_csv(results / "x" / "stats.csv")
    series = load(results).series
    at = (series["point"] == 2) & (series["arm"] == "delegate") & (series["step"] == 3)
    a, b = sorted(series.loc[at, "listener"])  # the two replications
    (row,) = stats[
        (stats["point"] == 2)
        & (stats["arm"] == "delegate")
        & (stats["step"] == 3)
        & (stats["metric"] == "listener")
    ].itertuples()
    assert (row.n, row._3, row._4) == (2, 0.8, 3)  # culture.openness, org.span
    assert row.mean == pytest.approx((a + b) / 2)
    assert row.sd == pytest.approx(abs(b - a) / np.sqrt(2))
    assert (row.q10, row.q50, row.q90) == pytest.approx(
        (a + 0.1 * (b - a), (a + b) / 2, a + 0.9 * (b - a))
    )
    assert list(stats.columns) == [
        "point",
        "arm",
        "culture.openness",
        "org.span",
        "metric",
        "step",
        "n",
        "mean",
        "sd",
        "q10",
        "q50",
        "q90",
    ]


def test_wide_has_a_column_per_week_matching_the_long_table(
    results: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = results / "wide"
    lines = _export(capsys, str(results), "--table", "series", "--wide", "--out", str(out))
    assert lines[1] == f"  {out / 'series_wide_poster.csv'} (16 rows)"
    wide = pd.read_csv(out / "series_wide_poster.csv")
    weeks = [f"step_{k}" for k in range(5)]
    assert list(wide.columns) == [*KEY, "seed", "culture.openness", "org.span", *weeks]
    assert len(wide) == RUNS and not wide.duplicated(KEY).any()
    long = load(results).series.set_index([*KEY, "step"])["poster"].to_dict()
    for run in wide.itertuples(index=False):
        for k in range(5):
            assert getattr(run, f"step_{k}") == long[(run.point, run.arm, run.replication, k)]
    _export(capsys, str(results), "--wide", "--metric", "reach", "--out", str(out))
    reach = pd.read_csv(out / "series_wide_reach.csv")
    assert reach["step_4"].tolist() == outcomes_table(load(results))["reach"].tolist()
    assert {p.name for p in out.iterdir()} >= {"outcomes.csv", "levels.csv", "stats.csv"}


def test_an_interrupted_sweep_exports_the_runs_it_finished_and_says_so(
    results: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    part = sorted((results / "outcomes").glob("arm=*/part-*.parquet"))[0]
    lost = pq.read_table(part).to_pandas().assign(arm=part.parent.name.removeprefix("arm="))
    part.unlink()  # as if the sweep had stopped before writing this task's outcomes
    kept = RUNS - len(lost)
    assert 0 < kept < RUNS
    lines = _export(capsys, str(results))
    assert lines[0] == (
        f"{results}: {kept} of 16 runs (the sweep has not finished: 'orgsim sweep <scenario"
        f" file> --out {results}' resumes it) -> {results / 'export'}"
    )
    assert lines[1].endswith(f"outcomes.csv ({kept} rows)")
    gone = set(lost[KEY].itertuples(index=False))
    for table in ("outcomes", "series", "wide"):
        if table == "wide":
            _export(capsys, str(results), "--table", "series", "--wide")
        name = "series_wide_poster" if table == "wide" else table
        rows = pd.read_csv(results / "export" / f"{name}.csv")
        runs = set(rows[KEY].itertuples(index=False))
        assert len(runs) == kept and not runs & gone, table
    readme = (results / "export" / "README.txt").read_text()
    assert f"{kept} of 16 runs finished" in readme


def test_a_folder_with_no_finished_run_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "s.toml").write_text(SCENARIO)
    plan = load_scenario(tmp_path / "s.toml")[1]
    ResultsFolder.open(tmp_path / "res", plan).begin(plan.run_count, executor="this process")
    assert main(["export", str(tmp_path / "res")]) == 2
    assert capsys.readouterr().err.strip() == (
        f"orgsim: error: {tmp_path / 'res'}: no run has finished yet (0 of 16): nothing to export"
    )
    assert not (tmp_path / "res" / "export").exists()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ["--table", "outcome"],
            "Invalid value for '--table': 'outcome' is not a table; choose from outcomes,"
            " series, levels, people, stats, all; did you mean 'outcomes'?",
        ),
        (
            ["--format", "xlsx"],
            "Invalid value for '--format': 'xlsx' is not a format; choose from csv, parquet",
        ),
        (
            ["--wide", "--metric", "postr"],
            "Invalid value for '--metric': 'postr' is not a series metric of this folder;"
            " choose from non_user, listener, poster, posts, engaged, criticised, lapses,"
            " pullbacks, aware, cross_unit, reach, comfort; did you mean 'poster'?",
        ),
        (
            ["--table", "stats", "--wide"],
            "--wide shapes the series table, not stats: give --table series (or all)",
        ),
        (["--metric", "reach"], "--metric chooses the metric of --wide: add --wide"),
    ],
)
def test_bad_options_are_one_line_naming_what_is_allowed(
    swept: Path, tmp_path: Path, args: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", str(swept), *args, "--out", str(tmp_path / "x")]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line == f"orgsim: error: {said} (see 'orgsim export --help')"
    assert not (tmp_path / "x").exists()


def test_a_folder_that_is_not_a_results_folder_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", str(tmp_path)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"orgsim: error: {tmp_path}: no manifest.json; not a results folder (run 'orgsim sweep')"
    )


def test_a_second_export_into_the_folder_keeps_the_first_ones_tables_in_the_readme(
    results: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exporting outcomes, then stats as Parquet, into one folder: README.txt described only
    the stats file, and outcomes.csv beside it went undescribed."""
    out = results / "twice"
    _export(capsys, str(results), "--table", "outcomes", "--out", str(out))
    _export(capsys, str(results), "--table", "stats", "--format", "parquet", "--out", str(out))
    readme = (out / "README.txt").read_text()
    for name in ("outcomes.csv", "stats.parquet"):
        assert f"\n{name}: one row per" in readme, name
    columns = pd.read_csv(out / "outcomes.csv", nrows=0).columns
    section = readme.split("\noutcomes.csv: ")[1].split("\n\n")[0].splitlines()[1:]
    assert [line.split()[0] for line in section] == list(columns)
    assert "  where metric is one of:" in readme.split("\nstats.parquet: ")[1]
    other = results / "other"  # (another folder's export there: not described)
    other.mkdir()
    (other / "README.txt").write_text("Export of the results folder elsewhere: ...\n")
    (other / "series.csv").write_text("point,step\n0,0\n")
    _export(capsys, str(results), "--table", "outcomes", "--out", str(other))
    assert "\nseries.csv: " not in (other / "README.txt").read_text()


def test_the_readme_says_what_every_column_is_and_parquet_holds_the_same_rows(
    results: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = results / "pq"
    _export(capsys, str(results), "--format", "parquet", "--out", str(out))
    readme = (out / "README.txt").read_text()
    assert "  2: culture.openness = 0.8, org.span = 3" in readme
    for table in ("outcomes", "series", "levels", "stats"):
        frame = pd.read_parquet(out / f"{table}.parquet")
        section = readme.split(f"\n{table}.parquet: ")[1].split("\n\n")[0].splitlines()[1:]
        section = section[: len(frame.columns)]  # (stats: then each metric it summarises)
        assert [line.split()[0] for line in section] == list(frame.columns), table
        for line in section:
            assert len(line.split(None, 1)) == 2, line  # a description for each
    assert "    poster      Share posting at this week [share, 0 to 1]" in readme  # under stats
    assert "  poster               Share posting [share, 0 to 1]" in readme  # outcomes
    assert f"{label('t50')} [weeks]" in readme
    assert "Span of control: Typical number of direct reports per manager. [reports]" in readme
    csv = export_module.export(results, "outcomes", out=results / "csv")[0]
    pd.testing.assert_frame_equal(
        pd.read_csv(csv), pd.read_parquet(out / "outcomes.parquet"), check_dtype=False
    )


def test_weeks_kept_every_k_and_no_levels(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """[record] every = 2 keeps weeks 0, 2, 4 and the last, 5; levels = false keeps none."""
    text = SCENARIO.replace("steps = 4", "steps = 5").replace(
        "replications = 2", "replications = 1"
    )
    text += '\n[record]\nevery = 2\nlevels = false\nseries = ["poster", "posts"]\n'
    (tmp_path / "s.toml").write_text(text)
    out = tmp_path / "res"
    assert main(["sweep", str(tmp_path / "s.toml"), "--out", str(out), "--workers", "1",
                 "--quiet", "--no-report"]) == 0  # fmt: skip
    capsys.readouterr()
    lines = _export(capsys, str(out), "--wide")
    assert lines[1] == "  levels: none recorded ([record] levels = false)"
    assert not (out / "export" / "levels.csv").exists()
    wide = pd.read_csv(out / "export" / "series_wide_poster.csv")
    assert [c for c in wide.columns if c.startswith("step_")] == [
        "step_0",
        "step_2",
        "step_4",
        "step_5",
    ]
    stats = pd.read_csv(out / "export" / "stats.csv")
    assert len(stats) == 4 * 2 * 2 * 4  # points, arms, metrics, weeks
    assert (stats["n"] == 1).all() and stats["sd"].isna().all()  # one replication
    assert (stats["mean"] == stats["q10"]).all()
    assert main(["export", str(out), "--table", "levels"]) == 2
    assert capsys.readouterr().err.strip() == (
        "orgsim: error: Invalid value for '--table': 'levels' is not in this folder: its"
        " scenario says [record] levels = false (see 'orgsim export --help')"
    )


def test_a_folder_without_per_week_metrics_exports_its_outcomes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """[record] series = []: the stats table raised KeyError "['n', 'mean', ...] not in
    index", and --wide offered "choose from " nothing."""
    text = SCENARIO.replace("replications = 2", "replications = 1")
    (tmp_path / "s.toml").write_text(text + "\n[record]\nseries = []\n")
    out = tmp_path / "res"
    assert main(["sweep", str(tmp_path / "s.toml"), "--out", str(out), "--workers", "1",
                 "--quiet", "--no-report"]) == 0  # fmt: skip
    capsys.readouterr()
    lines = _export(capsys, str(out))
    assert "  series, stats: none recorded ([record] series = [])" in lines
    assert sorted(p.name for p in (out / "export").iterdir()) == [
        "README.txt",
        "levels.csv",
        "outcomes.csv",
    ]
    for args, option in ((["--table", "stats"], "--table"), (["--wide"], "--wide")):
        assert main(["export", str(out), *args]) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith(f"orgsim: error: Invalid value for '{option}': "), err
        assert "scenario says [record] series = [] (no per-week metric was kept)" in err


def test_every_metric_has_a_unit() -> None:
    from simulator.analysis import OUTCOMES
    from simulator.scenario import SERIES_COLUMNS

    assert [m for m in (*OUTCOMES, *SERIES_COLUMNS) if not export_module.unit(m)] == []


def test_the_python_function_names_the_argument(swept: Path) -> None:
    with pytest.raises(ExportError, match=r"^tables = 'serie': not a table; .* 'series'\?$"):
        export_module.export(swept, ["outcomes", "serie"])
    with pytest.raises(ExportError, match=r"^wide = True: shapes the series table"):
        export_module.export_tables(load(swept), "stats", wide=True)
    assert set(TABLE_CHOICES) == {*export_module.TABLES, "all"}
    assert FORMAT_CHOICES == export_module.FORMATS


def test_to_ema_gives_experiments_and_outcomes_of_the_workbenchs_shape(swept: Path) -> None:
    results = load(swept)
    experiments, outcomes = to_ema(results)
    assert list(experiments.columns) == [
        "culture.openness",
        "org.span",
        "scenario",
        "policy",
        "model",
        "replication",
    ]
    assert len(experiments) == RUNS
    runs = outcomes_table(results)
    assert experiments["replication"].tolist() == runs["replication"].tolist()  # (the pairs)
    assert experiments["policy"].tolist() == runs["arm"].tolist()
    assert experiments["scenario"].tolist() == runs["point"].tolist()
    assert (experiments["model"] == "export").all()
    assert outcomes["poster"].shape == (RUNS,)
    assert outcomes["series.poster"].shape == outcomes["TIME"].shape == (RUNS, 5)
    assert (outcomes["TIME"] == np.arange(5)).all()
    np.testing.assert_array_equal(outcomes["series.poster"][:, -1], outcomes["poster"])
    assert all(isinstance(v, np.ndarray) for v in outcomes.values())


def test_to_ema_is_accepted_by_the_workbenchs_envelopes(swept: Path) -> None:
    pytest.importorskip("ema_workbench")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from ema_workbench.analysis.plotting import envelopes

    experiments, outcomes = to_ema(swept)
    figure, axes = envelopes(
        experiments, outcomes, outcomes_to_show="series.poster", group_by="policy"
    )
    ax = axes["series.poster"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["delegate", "model"]
    lines = ax.get_lines()  # per arm (sorted), the lowest and the highest run in each week
    assert len(lines) == 4
    for arm, (low, high) in zip(["delegate", "model"], [lines[:2], lines[2:]], strict=True):
        weekly = outcomes["series.poster"][(experiments["policy"] == arm).to_numpy()]
        np.testing.assert_array_equal(low.get_xdata(), np.arange(5))
        np.testing.assert_array_equal(low.get_ydata(), weekly.min(axis=0))
        np.testing.assert_array_equal(high.get_ydata(), weekly.max(axis=0))
    plt.close(figure)
