"""Sweep summaries, contrasts, sensitivity indices and the HTML report, checked by hand."""

from __future__ import annotations

import re
import shutil
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from simulator.analysis import contrasts, summarise, wilson
from simulator.report import write_report
from simulator.results import load
from simulator.scenario import parse_scenario
from simulator.sensitivity import sensitivity
from simulator.sweep import sweep

T2 = 4.302652729911275  # t(0.975, 2 df)
MODEL = {"leaders": {"strategy": "model"}}
DELEGATE = {"leaders": {"strategy": "delegate"}}
# Valid, but fails at run time: the comms team is larger than the organisation.
BROKEN = {
    "leaders": {"strategy": "delegate"},
    "delegation": {"mode": "comms_team", "comms_team_size": 500},
}


class SweepInterruptedError(Exception):
    """Stands for a sweep killed part way."""


def scenario(name: str, **parts: Any) -> dict[str, Any]:
    """A tiny scenario: 60 people, 8 weeks, 2 replications unless overridden."""
    header = {"name": name, "seed": 3, "replications": 2, "steps": 8, **parts.pop("header", {})}
    return {"scenario": header, "params": {"org": {"size": 60}}, **parts}


def run_sweep(data: dict[str, Any], out: Path, **options: Any) -> Path:
    _, plan = parse_scenario(data)
    sweep(plan, out, workers=1, **options)
    return out


# -- summarise ------------------------------------------------------------------------------
def hand_outcomes() -> pd.DataFrame:
    """Point 0, arm a: three finished runs and one failure; point 1, arm a: two failures."""
    nan = np.nan
    return pd.DataFrame(
        {
            "point": [0, 0, 0, 0, 1, 1],
            "arm": ["a"] * 6,
            "replication": [0, 1, 2, 3, 0, 1],
            "culture.openness": [0.3, 0.3, 0.3, 0.3, 0.7, 0.7],
            "status": ["ok", "ok", "ok", "failed", "failed", "failed"],
            "poster": [0.1, 0.2, 0.3, nan, nan, nan],
            "t50": [5.0, nan, 7.0, nan, nan, nan],
            "took_off": [True, True, False, nan, nan, nan],
        }
    )


def test_summarise_by_hand() -> None:
    table = summarise(hand_outcomes(), metrics=["poster", "t50", "took_off"])
    assert list(table.columns[:3]) == ["point", "culture.openness", "arm"]
    row = table.set_index(["point", "metric"])
    poster = row.loc[(0, "poster")]
    assert (poster["n_ok"], poster["n_failed"], poster["n"]) == (3, 1, 3)
    assert poster["mean"] == pytest.approx(0.2)
    assert poster["sd"] == pytest.approx(0.1)
    half = T2 * 0.1 / np.sqrt(3)  # 0.2484: 0.2 - half is below 0, which no share can be
    assert poster["ci_low"] == 0.0
    assert poster["ci_high"] == pytest.approx(0.2 + half)
    assert poster["median"] == pytest.approx(0.2)
    assert poster["q10"] == pytest.approx(0.12)  # 0.1 + 0.2 * (0.2 - 0.1), linear
    assert poster["q90"] == pytest.approx(0.28)
    t50 = row.loc[(0, "t50")]  # only the runs that reached 50 %
    assert t50["n"] == 2 and t50["mean"] == pytest.approx(6.0)
    assert t50["ci_low"] == 0.0  # 6 - 12.7: no week before 0
    assert t50["ci_high"] == pytest.approx(6.0 + 12.706204736174698 * np.sqrt(2) / np.sqrt(2))
    took = row.loc[(0, "took_off")]
    assert took["interval"] == "wilson" and took["mean"] == pytest.approx(2 / 3)
    # Wilson, k = 2, n = 3, z = 1.96: centre (2/3 + z²/6) / (1 + z²/3) = 0.57308,
    # half-width z / (1 + z²/3) * sqrt((2/9) / 3 + z²/36) = 0.36542
    assert took["ci_low"] == pytest.approx(0.20766, abs=1e-4)
    assert took["ci_high"] == pytest.approx(0.93851, abs=1e-4)
    failed = row.loc[(1, "poster")]  # every run failed: counted, no statistics
    assert (failed["n_ok"], failed["n_failed"], failed["n"]) == (0, 2, 0)
    assert np.isnan(failed["mean"]) and np.isnan(failed["ci_low"])


def test_summarise_cuts_an_interval_at_what_the_outcome_can_be() -> None:
    """Three runs' t interval of a share near 1 reaches past 100 %, and of a count near 0
    below 0; a column that is no outcome keeps its interval whole."""
    outcomes = pd.DataFrame(
        {
            "arm": ["a"] * 3,
            "replication": [0, 1, 2],
            "poster": [0.9, 1.0, 0.95],
            "posts": [0.0, 1.0, 0.0],
            "mine": [0.0, 1.0, 0.0],
        }
    )
    table = summarise(outcomes, metrics=["poster", "posts", "mine"]).set_index("metric")
    half = T2 * 0.05 / np.sqrt(3)
    assert table.loc["poster", "ci_high"] == 1.0
    assert table.loc["poster", "ci_low"] == pytest.approx(0.95 - half)
    assert table.loc["posts", "ci_low"] == 0.0
    mine = T2 * np.std([0.0, 1.0, 0.0], ddof=1) / np.sqrt(3)
    assert table.loc["mine", "ci_low"] == pytest.approx(1 / 3 - mine)  # below 0: kept


def test_summarise_shows_the_arms_in_the_scenario_order(tmp_path: Path) -> None:
    """The baseline first, as the scenario lists them (outcomes read by load carry the
    order), not by name; ``arms`` sets it for any table."""
    from builders import folder_of_outcomes

    data = scenario(
        "order", header={"replications": 2}, arms={"model": MODEL, "delegate": DELEGATE}
    )
    plan = parse_scenario(data)[1]
    out = folder_of_outcomes(plan, tmp_path / "res", lambda s: {"poster": 0.5})
    outcomes = load(out).outcomes
    assert summarise(outcomes, metrics=["poster"])["arm"].tolist() == ["model", "delegate"]
    plain = pd.DataFrame(outcomes)  # a table made by hand: by name
    plain.attrs = {}
    assert summarise(plain, metrics=["poster"])["arm"].tolist() == ["delegate", "model"]
    table = summarise(plain, metrics=["poster"], arms=["model", "delegate"])
    assert table["arm"].tolist() == ["model", "delegate"]


def test_wilson_interval_of_a_textbook_case() -> None:
    low, high = wilson(0, 10)  # no successes: the interval still has width
    assert float(low) == pytest.approx(0.0, abs=1e-12)
    assert float(high) == pytest.approx(0.27753, abs=1e-4)


def test_summarise_pools_points_with_by() -> None:
    pooled = summarise(hand_outcomes(), by=["arm"], metrics=["poster"]).iloc[0]
    assert (pooled["n_ok"], pooled["n_failed"], pooled["n"]) == (3, 3, 3)
    assert pooled["mean"] == pytest.approx(0.2)


# -- contrasts ------------------------------------------------------------------------------
def test_contrasts_pair_by_replication_within_point() -> None:
    rows = []
    base = {0: [0.10, 0.20, 0.30], 1: [0.50, 0.60, 0.70]}
    diff = {0: [0.05, 0.10, 0.15], 1: [-0.1, -0.2, -0.3]}
    for point in (0, 1):
        for rep in range(3):
            rows.append((point, "a", rep, "ok", base[point][rep]))
            status = "failed" if (point, rep) == (1, 2) else "ok"
            rows.append((point, "b", rep, status, base[point][rep] + diff[point][rep]))
    outcomes = pd.DataFrame(rows, columns=["point", "arm", "replication", "status", "poster"])
    outcomes = outcomes.sample(frac=1.0, random_state=1)  # row order must not matter
    table = contrasts(outcomes, ["a", "b"], metrics=["poster"]).set_index("point")
    assert table.loc[0, "mean_diff"] == pytest.approx(0.10)
    assert table.loc[0, "n"] == 3
    assert table.loc[0, "ci_high"] - 0.10 == pytest.approx(T2 * 0.05 / np.sqrt(3))
    assert table.loc[1, "n"] == 2  # the failed run drops its pair
    assert table.loc[1, "mean_diff"] == pytest.approx(-0.15)
    assert table.loc[1, "baseline"] == "a" and table.loc[1, "arm"] == "b"
    pooled = contrasts(outcomes, ["a", "b"], metrics=["poster"], pooled=True).iloc[0]
    assert pooled["n"] == 5
    assert pooled["mean_diff"] == pytest.approx((0.05 + 0.10 + 0.15 - 0.1 - 0.2) / 5)


def test_a_milestone_contrast_says_how_many_pairs_reached_it_and_is_not_bold_if_some_did_not(
    tmp_path: Path,
) -> None:
    """The delegates reach 50 % in 3 of 6 pairs, two weeks before the modelers do; in the
    others never. Over the pairs where both reached it the difference is -2 weeks with a CI
    excluding 0, but it leaves out the slower runs: it says so and is not bold."""
    from builders import folder_of_outcomes

    data = scenario(
        "milestones", header={"replications": 6}, arms={"model": MODEL, "delegate": DELEGATE}
    )
    plan = parse_scenario(data)[1]
    t50 = {"model": [10.0] * 6, "delegate": [8.0, 7.9, 8.1, np.nan, np.nan, np.nan]}
    poster = {"model": [0.6] * 6, "delegate": [0.5, 0.49, 0.51, 0.2, 0.21, 0.19]}
    out = folder_of_outcomes(
        plan,
        tmp_path / "res",
        lambda s: {"t50": t50[s.arm][s.replication], "poster": poster[s.arm][s.replication]},
    )
    table = contrasts(load(out).outcomes, ["model", "delegate"], ["poster", "t50"], pooled=True)
    rows = table.set_index("metric")
    assert (rows.loc["t50", "n"], rows.loc["t50", "pairs"]) == (3, 6)
    assert rows.loc["t50", "mean_diff"] == pytest.approx(-2.0)
    assert rows.loc["t50", "ci_high"] < 0
    assert (rows.loc["poster", "n"], rows.loc["poster", "pairs"]) == (6, 6)
    text = write_report(out).read_text(encoding="utf-8")
    text = text[text.index("Paired contrasts") : text.index("<h2>Summary")]
    cells = re.findall(
        r'<td class="n( sure)?">([^<]*)</td><td class="n">([^<]*(?:<sup>\*</sup>)?)</td>', text
    )
    by_pairs = {pairs: bool(sure) for sure, _, pairs in cells}
    assert by_pairs["6"] is True  # poster: all pairs, CI excludes 0: bold
    assert by_pairs["3 of 6<sup>*</sup>"] is False  # t50: CI excludes 0, yet not bold
    assert "can point the wrong way" in text


def test_an_older_folders_deepest_level_of_minus_one_is_read_as_none_reached(
    tmp_path: Path,
) -> None:
    """Folders written before a4e3677 hold -1 for 'no level reached 10 %'; summaries would
    average it as a level."""
    from builders import folder_of_outcomes

    plan = parse_scenario(scenario("old", header={"replications": 4}))[1]
    deepest = [2.0, -1.0, 3.0, -1.0]
    out = folder_of_outcomes(
        plan, tmp_path / "res", lambda s: {"deepest_level": deepest[s.replication]}
    )
    outcomes = load(out).outcomes
    assert outcomes["deepest_level"].isna().tolist() == [False, True, False, True]
    row = summarise(outcomes, metrics=["deepest_level"]).iloc[0]
    assert (row["n"], row["mean"]) == (2, 2.5)


def test_contrasts_need_two_arms() -> None:
    assert contrasts(hand_outcomes(), ["a"]).empty


# -- sensitivity ----------------------------------------------------------------------------
def sampled(kind: str, samples: int, **design: Any) -> dict[str, Any]:
    """Openness drives posting; the audience spread only changes reach, never posting."""
    return scenario(
        kind,
        header={"replications": 3, "steps": 12},
        params={"org": {"size": 100}},
        axes=[
            {"param": "culture.openness", "bounds": [0.0, 1.0]},
            {"param": "org.audience_sigma", "bounds": [0.2, 2.0]},
        ],
        design={"kind": kind, "samples": samples, **design},
    )


@pytest.fixture(scope="module")
def sobol_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_sweep(sampled("sobol", 16), tmp_path_factory.mktemp("sobol") / "res")


@pytest.fixture(scope="module")
def morris_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_sweep(sampled("morris", 8), tmp_path_factory.mktemp("morris") / "res")


def test_sobol_ranks_the_parameter_that_matters(sobol_dir: Path) -> None:
    table = sensitivity(load(sobol_dir))
    assert table is not None
    assert list(table.columns) == [
        *("method", "arm", "metric", "parameter"),
        *("S1", "S1_conf", "ST", "ST_conf", "noise", "within_noise"),
    ]
    assert len(table) == 2 * table["metric"].nunique()  # one row per parameter and metric
    assert any("t50" in note for note in table.attrs["notes"])  # never reached: skipped
    poster = table[table["metric"] == "poster"].set_index("parameter")
    opened, spread = poster.loc["culture.openness"], poster.loc["org.audience_sigma"]
    assert opened["ST"] > 0.5 and opened["S1"] > 0.5
    assert spread["ST"] < 0.35 and spread["ST"] < opened["ST"] / 3
    assert spread["S1"] < 0.25


def test_morris_ranks_the_parameter_that_matters(morris_dir: Path) -> None:
    table = sensitivity(load(morris_dir))
    assert table is not None
    assert {"mu", "mu_star", "mu_star_conf", "sigma"} <= set(table.columns)
    poster = table[table["metric"] == "poster"].set_index("parameter")["mu_star"]
    assert poster["culture.openness"] > 3 * poster["org.audience_sigma"]


def test_second_order_sobol_adds_pairs(tmp_path: Path) -> None:
    data = sampled("sobol", 2, second_order=True)
    data["scenario"]["replications"] = 1
    table = sensitivity(load(run_sweep(data, tmp_path / "res")))
    assert table is not None
    pairs = table[table["parameter"] == "culture.openness × org.audience_sigma"]
    assert not pairs.empty and pairs["S2"].notna().all() and pairs["S1"].isna().all()


def test_an_unfinished_design_gets_notes_not_indices(tmp_path: Path) -> None:
    data = sampled("sobol", 2)
    data["scenario"]["replications"] = 1

    def stop(done: int, total: int) -> None:
        if done >= 3:
            raise SweepInterruptedError

    with pytest.raises(SweepInterruptedError):
        run_sweep(data, tmp_path / "res", pairs_per_task=1, progress=stop)
    table = sensitivity(load(tmp_path / "res"))
    assert table is not None and table.empty
    assert any("design is incomplete" in note for note in table.attrs["notes"])


def test_no_sensitivity_for_a_grid(tmp_path: Path) -> None:
    data = scenario("grid", axes=[{"param": "culture.openness", "values": [0.3, 0.7]}])
    from simulator.sensitivity import SensitivityError

    with pytest.raises(SensitivityError, match=r"'grid' with 2 distinct design points: too few"):
        sensitivity(load(run_sweep(data, tmp_path / "res")))


# -- the report -----------------------------------------------------------------------------
def check_page(report: Path) -> str:
    """The page is self-contained: one embedded PNG per figure written, no external links."""
    text = report.read_text(encoding="utf-8")
    pngs = sorted(report.parent.glob("*.png"))
    assert text.count("data:image/png;base64,") == len(pngs) == text.count("<figure>")
    assert "http" not in text
    assert not re.search(r"<(script|link)\b", text)
    return text


def test_report_of_a_one_axis_sweep(tmp_path: Path) -> None:
    data = scenario(
        "openness-demo",
        header={"question": "Does modeling beat delegating?"},
        arms={"model": MODEL, "delegate": DELEGATE},
        axes=[{"param": "culture.openness", "values": [0.3, 0.7]}],
    )
    folder = run_sweep(data, tmp_path / "res")
    report = write_report(folder)
    assert report == folder / "report" / "report.html"
    text = check_page(report)
    assert "openness-demo" in text and "Does modeling beat delegating?" in text
    assert "Complete" in text and "Provenance" in text
    names = {p.name for p in report.parent.iterdir()}
    assert {"summary.csv", "contrasts.csv", "arm_curves.png", "level_adoption.png"} <= names
    assert "outcome_vs_parameter.png" in names and "sensitivity.csv" not in names
    summary = pd.read_csv(report.parent / "summary.csv")
    assert set(summary["arm"]) == {"model", "delegate"} and (summary["n_ok"] == 2).all()
    paired = pd.read_csv(report.parent / "contrasts.csv")
    assert set(paired["point"]) == {0, 1} and set(paired["baseline"]) == {"model"}
    # over both points, each pair once: what the page's "Over all 2 design points" shows
    pooled = pd.read_csv(report.parent / "contrasts_pooled.csv").set_index("metric")
    runs = load(folder).outcomes
    ok = runs[runs["status"] == "ok"].set_index(["point", "replication", "arm"])["poster"]
    diff = (ok.xs("delegate", level="arm") - ok.xs("model", level="arm")).dropna()
    assert pooled.loc["poster", "pairs"] == 4 and "point" not in pooled.columns
    assert pooled.loc["poster", "mean_diff"] == pytest.approx(diff.mean(), abs=1e-12)


def test_a_swept_list_of_rules_is_reported_by_its_text(tmp_path: Path) -> None:
    """An axis of ``leaders.rules`` ran, then the report failed: 'unhashable type'."""
    rules = [[{"who": "role=top", "strategy": "model"}], []]
    data = scenario("rules", axes=[{"param": "leaders.rules", "values": rules}])
    folder = run_sweep(data, tmp_path / "res")
    outcomes = load(folder).outcomes
    assert sorted(set(outcomes["leaders.rules"])) == [
        "[]",
        '[{"strategy": "model", "who": "role=top"}]',
    ]
    check_page(write_report(folder))
    summary = pd.read_csv(folder / "report" / "summary.csv")
    assert (summary.groupby("leaders.rules")["n_ok"].min() == 2).all()


def summary_cells(text: str, metric: str) -> list[str]:
    """The 'Mean [95 % CI]' cell of each row of ``metric`` in the page's summary table."""
    row = rf'<td>{metric}</td><td class="n">\d+ / \d+</td><td class="n">\d+</td>'
    return re.findall(row + r'<td class="n">([^<]*)</td>', text)


def test_a_scenarios_own_share_is_a_percentage_in_the_summary_as_poster_is(
    tmp_path: Path,
) -> None:
    """``poster_w4`` (the share posting in week 4) is a share as ``poster`` is: the page
    shows 12.5 %, not 0.125; ``posts_sum`` (a count) stays a number."""
    data = scenario(
        "own",
        axes=[{"param": "culture.openness", "values": [0.3, 0.7]}],
        outcomes={
            "poster_w4": {"series": "poster", "at": 4},
            "posts_sum": {"series": "posts", "stat": "sum"},
        },
    )
    folder = run_sweep(data, tmp_path / "res")
    text = check_page(write_report(folder))
    summary = pd.read_csv(folder / "report" / "summary.csv").set_index(["point", "metric"])
    for metric in ("poster", "poster_w4"):
        cells = summary_cells(text, metric)
        assert len(cells) == 2, metric  # (a row per design point)
        for point, cell in enumerate(cells):
            row = summary.loc[(point, metric)]
            assert cell == (
                f"{100 * row['mean']:.1f} % [{100 * row['ci_low']:.1f} %,"
                f" {100 * row['ci_high']:.1f} %]"
            ), (metric, cell)
    assert summary.loc[(0, "poster_w4"), "mean"] > 0  # (some posting by week 4)
    sums = summary_cells(text, "posts_sum")
    assert len(sums) == 2 and "%" not in "".join(sums)


def test_a_scenarios_own_outcomes_are_in_the_paired_contrasts_and_sensitivity_by_label(
    tmp_path: Path,
) -> None:
    """The page's paired contrasts kept only the built-in headline outcomes (the scenario's
    own reached contrasts.csv alone); the sensitivity figure named them by their key."""
    from simulator.report import analyse, page
    from simulator.sweep_plots import sensitivity_bars

    data = scenario(
        "own-contrasts",
        arms={"model": MODEL, "delegate": DELEGATE},
        axes=[{"param": "culture.openness", "bounds": [0.2, 0.9]}],
        design={"kind": "morris", "samples": 2},
        outcomes={
            "poster_w6": {"series": "poster", "at": 6, "label": "Posting by week six"},
            "posts_sum": {"series": "posts", "stat": "sum"},
        },
    )
    results = load(run_sweep(data, tmp_path / "res"))
    text = page(analyse(results))
    contrasts_part = text[text.index("<h2>Paired contrasts</h2>") :]
    contrasts_part = contrasts_part[: contrasts_part.index("</table>")]
    assert "<td>Posting by week six</td><td>delegate</td>" in contrasts_part
    assert "<td>Posts, sum over weeks 0 to the end</td><td>delegate</td>" in contrasts_part
    assert "<td>Share posting</td><td>delegate</td>" in contrasts_part
    table = sensitivity(results, ["poster_w6"], resamples=20, noise=False)
    figure = sensitivity_bars(table, measures=results.outcomes.attrs["measures"])
    assert figure.axes[0].get_title() == "Posting by week six"


def test_report_of_a_two_axis_grid(tmp_path: Path) -> None:
    data = scenario(
        "grid2",
        arms={"model": MODEL, "delegate": DELEGATE},
        axes=[
            {"param": "culture.openness", "values": [0.3, 0.7]},
            {"param": "culture.policy", "values": ["restrictive", "open"]},
        ],
    )
    report = write_report(run_sweep(data, tmp_path / "res"), tmp_path / "out")
    assert report == tmp_path / "out" / "report.html"
    check_page(report)
    names = {p.name for p in report.parent.iterdir()}
    assert {"heatmap.png", "difference_heatmap.png", "poster_by_parameter.png"} <= names
    # partial results, the second arm not run yet: said once, no empty panels or pairs
    folder = tmp_path / "res"
    for table in ("outcomes", "series", "levels"):
        shutil.rmtree(folder / table / "arm=delegate")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (matplotlib warned of an empty heatmap panel)
        text = check_page(write_report(folder, tmp_path / "partial"))
    assert "No finished runs yet for delegate" in text and "No complete pairs" not in text
    names = {p.name for p in (tmp_path / "partial").iterdir()}
    assert "heatmap.png" in names and "difference_heatmap.png" not in names


def test_report_of_a_sobol_design(sobol_dir: Path, tmp_path: Path) -> None:
    report = write_report(sobol_dir, tmp_path)
    text = check_page(report)
    assert "Sensitivity" in text
    assert {"sensitivity.csv", "sensitivity.png"} <= {p.name for p in tmp_path.iterdir()}


def test_report_of_a_partial_folder(tmp_path: Path) -> None:
    data = scenario(
        "partial",
        arms={"model": MODEL, "delegate": DELEGATE},
        axes=[{"param": "culture.openness", "values": [0.2, 0.5, 0.8]}],
    )

    def stop(done: int, total: int) -> None:
        if done >= 4:
            raise SweepInterruptedError

    with pytest.raises(SweepInterruptedError):
        run_sweep(data, tmp_path / "res", pairs_per_task=1, progress=stop)
    text = check_page(write_report(tmp_path / "res"))
    assert "Partial results" in text and "8 of 12" in text


def test_report_of_a_folder_whose_runs_all_failed(tmp_path: Path) -> None:
    data = scenario("doomed", arms={"comms": BROKEN})
    report = write_report(run_sweep(data, tmp_path / "res"))
    text = check_page(report)
    assert "No run finished successfully" in text
    assert "comms_team_size = 500 exceeds" in text
    assert text.count("<figure>") == 0


def test_failed_runs_are_listed_and_left_out(tmp_path: Path) -> None:
    data = scenario("half", arms={"model": MODEL, "comms": BROKEN})
    report = write_report(run_sweep(data, tmp_path / "res"))
    text = check_page(report)
    assert "2 failed" in text and "AssignmentError" in text
    summary = pd.read_csv(report.parent / "summary.csv")
    comms = summary[summary["arm"] == "comms"]
    assert (comms["n_failed"] == 2).all() and (comms["n"] == 0).all()
    # an arm whose runs all failed is not 'not run yet' (a resume would fail the same way)
    assert "Every run of comms failed" in text and "No finished runs yet for comms" not in text


def test_a_design_of_many_points_gets_the_arms_curves_by_each_swept_parameter(
    tmp_path: Path,
) -> None:
    """With more than six design points the arms' curves were pooled over all of them in one
    panel (openness 0.2 and 0.8 in one median): a figure per swept parameter instead, a
    panel per value, the other parameter pooled in each."""
    data = scenario(
        "grid8",
        arms={"model": MODEL, "delegate": DELEGATE},
        axes=[
            {"param": "culture.openness", "values": [0.2, 0.4, 0.6, 0.8]},
            {"param": "culture.policy", "values": ["restrictive", "open"]},
        ],
    )
    report = write_report(run_sweep(data, tmp_path / "res"), tmp_path / "out")
    text = check_page(report)
    names = {p.name for p in report.parent.iterdir()}
    assert {"arm_curves_by_culture.openness.png", "arm_curves_by_culture.policy.png"} <= names
    assert "arm_curves.png" not in names  # (the pooled one)
    for axis in ("culture.openness", "culture.policy"):
        assert (
            f"Share posting by week, per arm, one panel per value of {axis}: the line is the"
            " median over the runs in the panel (pooled over the other swept parameters)"
        ) in text
    assert text.index("value of culture.openness") < text.index("value of culture.policy")


def test_a_ranked_design_draws_the_arms_curves_by_its_most_influential_parameter_first(
    sobol_dir: Path, tmp_path: Path
) -> None:
    """Sobol indices rank openness first (it drives posting; the audience spread does not):
    its figure comes first, a panel per quarter of its sampled values."""
    report = write_report(sobol_dir, tmp_path)
    text = check_page(report)
    assert (tmp_path / "arm_curves_by_culture.openness.png").exists()
    assert (
        "one panel per bin of culture.openness (4 bins of about equal numbers of design"
        " points, each titled with the range of its values)"
    ) in text
    assert "culture.openness ranks 1st of 2 parameters by the total Sobol index ST" in text
    second = (tmp_path / "arm_curves_by_org.audience_sigma.png").exists()
    left = "Not drawn: org.audience_sigma, within replication noise for every arm" in text
    assert second != left  # drawn after it, or said to be left out
    if second:
        assert text.index("ranks 1st") < text.index("org.audience_sigma ranks 2nd")


def test_the_reports_intervals_stop_at_what_an_outcome_or_a_difference_can_be(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 52-week sweep reported t10 [.., 126.94] (n = 2) and a paired difference in share
    posting of [-103.1 pp, +63.9 pp]: summary.csv, contrasts.csv and the page (its tables,
    the forest plot drawn from contrasts) give them cut at what they can be. The folder's
    horizon and levels are given to the outcomes as ``attrs`` (as ``load`` is to give them)."""
    import simulator.report
    from simulator.analysis import t95

    def load_with_bounds(path: Any, levels: Any = "all") -> Any:
        results = load(path, levels=levels)
        results.outcomes.attrs["steps"] = results.manifest["resolved"]["scenario"]["steps"]
        results.outcomes.attrs["levels"] = int(results.levels["level"].max()) + 1
        return results

    monkeypatch.setattr(simulator.report, "load", load_with_bounds)
    data = scenario(
        "bounds",
        header={"steps": 26},
        arms={"model": MODEL, "delegate": DELEGATE},
        axes=[{"param": "culture.openness", "values": [0.2, 0.4, 0.6, 0.8]}],
    )
    folder = run_sweep(data, tmp_path / "res")
    deepest = int(load(folder).levels["level"].max())
    report = write_report(folder)
    summary = pd.read_csv(report.parent / "summary.csv")
    weeks = summary[summary["metric"].isin(["t10", "t50", "t90"]) & (summary["n"] > 1)]
    uncut = weeks["mean"] + t95(weeks["n"] - 1) * weeks["sd"] / np.sqrt(weeks["n"])
    assert (uncut > 26).any()  # (two runs' t interval reaches past the horizon)
    assert (weeks["ci_low"] >= 0).all() and (weeks["ci_high"] <= 26).all()
    level = summary[summary["metric"] == "deepest_level"]
    assert (level["ci_high"].dropna() <= deepest).all()
    paired = pd.read_csv(report.parent / "contrasts.csv")
    shares = paired[paired["metric"].isin(["poster", "peak_poster"]) & (paired["n"] > 1)]
    assert (shares["ci_low"] == -1).any() or (shares["ci_high"] == 1).any()  # (cut here)
    assert shares["ci_low"].min() >= -1 and shares["ci_high"].max() <= 1
    milestones = paired[paired["metric"].isin(["t10", "t50"])]
    assert milestones["ci_low"].min() >= -26 and milestones["ci_high"].max() <= 26
    text = report.read_text(encoding="utf-8")
    shown = [float(x) for x in re.findall(r"([-+]\d+\.\d) pp[,\]]", text)]
    assert shown and min(shown) >= -100 and max(shown) <= 100  # (the tables in pp)


def test_a_report_removes_what_its_last_run_wrote_and_this_one_did_not(tmp_path: Path) -> None:
    """Another report into the same folder left the earlier one's figures beside its own
    (a renamed arm_curves.png, a heatmap the new design has none of); files it did not
    write stay."""
    arms = {"model": {"leaders.strategy": "model"}, "delegate": {"leaders.strategy": "delegate"}}
    two = [
        {"param": "culture.openness", "values": [0.3, 0.7]},
        {"param": "culture.policy_shift", "values": [0.1, 0.3]},
    ]
    grid = scenario("two", arms=arms, axes=two, design={"kind": "grid"})
    one = scenario("one", arms=arms, axes=two[:1], design={"kind": "grid"})
    out = tmp_path / "report"
    write_report(run_sweep(grid, tmp_path / "a"), out)
    assert (out / "heatmap.png").exists()
    (out / "mine.png").write_bytes(b"not the report's")
    write_report(run_sweep(one, tmp_path / "b"), out)
    assert not (out / "heatmap.png").exists() and not (out / "difference_heatmap.png").exists()
    assert (out / "mine.png").read_bytes() == b"not the report's"
    assert (out / "outcome_vs_parameter.png").exists() and (out / "report.html").exists()
