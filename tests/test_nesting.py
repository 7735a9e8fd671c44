"""Replications that share organisations (``[scenario] orgs``): summaries and paired contrasts
say what their intervals hold for and add the interval over organisations; robustness
resamples organisations; without ``orgs`` nothing changes. Checked by hand on tiny tables.

The hand case (one design point, ``orgs = 2``: replications 0, 2, 4 ran on organisation 0,
1, 3, 5 on organisation 1), ``posts`` per run:

============  ================  ==========  ===============
arm           organisation 0    org. 1      all six runs
============  ================  ==========  ===============
a             1010, 1020, 1030  1040, 1050, 1060  mean 1035
b - a         1, 2, 3           5, 6, 7     mean 4
============  ================  ==========  ===============

Arm a: the organisations' means 1020 and 1050 (sd 15 sqrt 2), the interval over them
1035 +- t(1) x 15 = 1035 +- 190.59; over the six runs (sd sqrt 350) 1035 +- t(5) x sqrt(350 /
6) = 1035 +- 19.63. The difference: means 2 and 6 (sd 2 sqrt 2), 4 +- t(1) x 2 = 4 +- 25.41;
over the runs 4 +- t(5) x sqrt(5.6 / 6) = 4 +- 2.48.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from builders import folder_of_outcomes

from simulator.analysis import contrasts, summarise, t95
from simulator.cli import main
from simulator.nesting import ORG_COLUMNS, cluster_stats, scenario_row
from simulator.results import load
from simulator.robustness import robustness
from simulator.robustness_words import verdict
from simulator.scenario import parse_scenario

T1, T5 = float(t95(1)), float(t95(5))  # 12.706..., 2.5706...
A = [1010.0, 1040.0, 1020.0, 1050.0, 1030.0, 1060.0]  # replications 0-5 (orgs 0, 1, 0, 1...)
DIFF = [1.0, 5.0, 2.0, 6.0, 3.0, 7.0]


def hand_table(orgs: int | None = 2) -> pd.DataFrame:
    rows = [
        {"point": 0, "arm": arm, "replication": r, "status": "ok", "posts": posts}
        for r in range(6)
        for arm, posts in (("a", A[r]), ("b", A[r] + DIFF[r]))
    ]
    table = pd.DataFrame(rows)
    table.attrs["arms"] = ["a", "b"]
    if orgs is not None:
        table.attrs["orgs"] = orgs
    return table


def test_a_summary_over_two_organisations_by_hand() -> None:
    row = summarise(hand_table(), metrics=["posts"]).set_index("arm").loc["a"]
    assert row["mean"] == pytest.approx(1035.0)
    assert row["ci_high"] - row["mean"] == pytest.approx(T5 * np.sqrt(350 / 6))  # over runs
    assert row["organisations"] == 2
    assert row["org_sd"] == pytest.approx(15 * np.sqrt(2))
    assert row["org_ci_low"] == pytest.approx(1035.0 - T1 * 15)  # 844.41
    assert row["org_ci_high"] == pytest.approx(1035.0 + T1 * 15)  # 1225.59


def test_a_contrast_over_two_organisations_by_hand() -> None:
    table = contrasts(hand_table(), ["a", "b"], ["posts"])
    row = table.iloc[0]
    assert row["mean_diff"] == pytest.approx(4.0)
    assert row["ci_high"] - 4.0 == pytest.approx(T5 * np.sqrt(5.6 / 6))
    assert row["organisations"] == 2 and row["org_sd"] == pytest.approx(2 * np.sqrt(2))
    assert (row["org_ci_low"], row["org_ci_high"]) == pytest.approx((4 - 2 * T1, 4 + 2 * T1))
    assert "these 2 organisations" in table.attrs["notes"][0]


def test_unequal_organisations_get_the_cluster_robust_variance() -> None:
    """Five runs on two organisations: 1, 3, 5 (replications 0, 2, 4) and 2, 6 (1, 3). The
    mean 3.4; the residuals' sums -1.2 and 1.2; variance 2 / 1 x (1.44 + 1.44) / 25."""
    runs = pd.DataFrame({"g": 0, "v": [1.0, 2.0, 3.0, 6.0, 5.0], "o": [0, 1, 0, 1, 0]})
    row = cluster_stats(runs, ["g"], "v", "o").iloc[0]
    assert row["org_half"] == pytest.approx(T1 * np.sqrt(2 * 2.88 / 25))
    assert row["org_sd"] == pytest.approx(np.std([3.0, 4.0], ddof=1))


def test_the_interval_over_organisations_is_never_narrower_than_over_runs() -> None:
    """Both organisations' mean differences are 4: by chance no spread between them. The
    interval over organisations is then the one over runs, not a point."""
    table = hand_table()
    b = table["arm"] == "b"
    table.loc[b, "posts"] = table.loc[b, "posts"] - DIFF + [3.0, 5.0, 4.0, 4.0, 5.0, 3.0]
    row = contrasts(table, ["a", "b"], ["posts"]).iloc[0]
    assert row["org_sd"] == 0.0
    assert (row["org_ci_low"], row["org_ci_high"]) == (row["ci_low"], row["ci_high"])


def test_one_organisation_per_replication_adds_no_interval_over_organisations() -> None:
    """``orgs`` = replications: every run its own organisation, as without orgs; an interval
    over organisations would repeat ci_low/ci_high, so the tables have none."""
    for orgs in (6, 9):
        summary = summarise(hand_table(orgs=orgs), metrics=["posts"])
        paired = contrasts(hand_table(orgs=orgs), ["a", "b"], ["posts"])
        assert not set(ORG_COLUMNS) & {*summary.columns, *paired.columns}
        assert "as without orgs" in summary.attrs["notes"][0]
        assert "org_ci" not in summary.attrs["notes"][0]


def test_a_row_with_one_value_per_organisation_has_no_interval_over_them() -> None:
    """Failed runs of arm b in replications 2-5 leave it two values, on two organisations:
    the row keeps ``organisations`` but no interval over them (it would be over runs)."""
    table = hand_table()
    table.loc[(table["arm"] == "b") & (table["replication"] >= 2), "status"] = "failed"
    rows = summarise(table, metrics=["posts"]).set_index("arm")
    assert rows.loc["a", "org_ci_low"] == pytest.approx(1035.0 - T1 * 15)
    assert rows.loc["b", ["n", "organisations"]].tolist() == [2, 2]
    assert rows.loc["b", ["org_sd", "org_ci_low", "org_ci_high"]].isna().all()


def test_pooled_contrasts_count_each_points_organisations() -> None:
    two = pd.concat([hand_table(), hand_table().assign(point=1)], ignore_index=True)
    two.attrs = hand_table().attrs
    pooled = contrasts(two, ["a", "b"], ["posts"], pooled=True).iloc[0]
    assert pooled["organisations"] == 4 and pooled["n"] == 12


def test_orgs_1_speaks_for_one_organisation() -> None:
    """Per design point, one organisation: no interval over organisations to show."""
    summary = summarise(hand_table(orgs=1), metrics=["posts"])
    paired = contrasts(hand_table(orgs=1), ["a", "b"], ["posts"])
    assert not set(ORG_COLUMNS) & {*summary.columns, *paired.columns}
    assert "every interval is over runs on it" in summary.attrs["notes"][0]
    assert paired.attrs["notes"] == summary.attrs["notes"]


def test_orgs_1_pooled_over_two_points_is_over_their_organisations() -> None:
    """Two points, one organisation each; the differences 1, 5, 2, 6, 3, 7 at point 0 and
    those + 4 at point 1: the points' mean differences 4 and 8 (sd 2 sqrt 2), so over the
    two organisations 6 +- t(1) x 2 = 6 +- 25.41."""
    second = hand_table(orgs=1).assign(point=1)
    second.loc[second["arm"] == "b", "posts"] += 4.0
    two = pd.concat([hand_table(orgs=1), second], ignore_index=True)
    two.attrs = hand_table(orgs=1).attrs
    pooled = contrasts(two, ["a", "b"], ["posts"], pooled=True)
    row = pooled.iloc[0]
    assert row["n"] == 12 and row["organisations"] == 2
    assert row["org_sd"] == pytest.approx(2 * np.sqrt(2))
    assert (row["org_ci_low"], row["org_ci_high"]) == pytest.approx((6 - 2 * T1, 6 + 2 * T1))
    said = pooled.attrs["notes"][0]
    assert said.startswith("orgs = 1, pooled over 2 design points")
    assert "over the 2 points' organisations" in said and "every interval" not in said
    per_point = contrasts(two, ["a", "b"], ["posts"])
    assert "organisations" not in per_point and "every interval" in per_point.attrs["notes"][0]


def test_without_orgs_the_tables_are_as_they_were() -> None:
    plain, nested = hand_table(orgs=None), hand_table()
    summary = summarise(plain, metrics=["posts"])
    paired = contrasts(plain, ["a", "b"], ["posts"])
    assert not set(ORG_COLUMNS) & {*summary.columns, *paired.columns}
    assert "notes" not in summary.attrs and "notes" not in paired.attrs
    with_orgs = summarise(nested, metrics=["posts"])
    pd.testing.assert_frame_equal(with_orgs[summary.columns], summary)  # (the same numbers)


def test_the_scenario_row_says_organisations_per_point() -> None:
    manifest: dict[str, Any] = {"replications": 9, "scenario": {"scenario": {"orgs": 2}}}
    assert scenario_row(manifest) == (
        "Organisations",
        "2 per design point, each point its own (replication r runs on organisation r mod"
        " 2): intervals over runs hold for these organisations; over organisations: org_ci"
        " columns",
    )
    assert scenario_row({"scenario": {"scenario": {"orgs": None}}}) is None


# -- robustness ------------------------------------------------------------------------------
def a_plan(orgs: int | None, values: list[float]) -> Any:
    head: dict[str, Any] = {"name": "nest", "seed": 5, "replications": 4, "steps": 8}
    if orgs is not None:
        head["orgs"] = orgs
    data = {
        "scenario": head,
        "arms": {"model": {"leaders.strategy": "model"}, "none": {"leaders.strategy": "none"}},
        "axes": [{"param": "culture.openness", "values": values}],
    }
    return parse_scenario(data, source="nest")[1]


def nest_outcome(s: Any) -> dict[str, float]:
    """``none`` falls short of ``model`` by 0.1, 0.2, 0.3, 0.4 in replications 0-3: by 0.2
    on organisation 0 (replications 0 and 2), by 0.3 on organisation 1."""
    return {"poster": 0.9 - (0.1 * (s.replication + 1) if s.arm == "none" else 0.0)}


def test_robustness_resamples_organisations(tmp_path: Path) -> None:
    """One point, two organisations: a resample's regret of ``none`` is 0.2 (organisation 0
    twice), 0.25 or 0.3, so the interval is exactly 0.2 to 0.3; resampling replications
    (without orgs) reaches 0.1 and 0.4."""
    nested = robustness(load(folder_of_outcomes(a_plan(2, [0.5]), tmp_path / "n", nest_outcome)))
    row = nested.set_index("arm").loc["none"]
    assert row["mean_regret"] == pytest.approx(0.25)
    assert (row["regret_low"], row["regret_high"]) == pytest.approx((0.2, 0.3))
    assert any("resamples organisations" in n for n in nested.attrs["notes"])
    plain = robustness(load(folder_of_outcomes(a_plan(None, [0.5]), tmp_path / "p", nest_outcome)))
    row = plain.set_index("arm").loc["none"]
    assert row["regret_low"] < 0.2 and row["regret_high"] > 0.3
    assert not any("orgs" in n for n in plain.attrs["notes"])


def test_one_design_point_is_ranked_with_a_note(tmp_path: Path) -> None:
    table = robustness(load(folder_of_outcomes(a_plan(None, [0.5]), tmp_path / "o", nest_outcome)))
    assert any(n.startswith("one design point: nothing to rank") for n in table.attrs["notes"])
    assert verdict(table).startswith("model is best or tied for best in poster at the one design")


def test_ties_read_as_best_or_tied(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Both arms at 0.9 at the first point, model ahead at the second: model is best or
    tied at both (best_share 3/4, ties split), none at one (1/4)."""

    def outcome(s: Any) -> dict[str, float]:
        return {"poster": 0.9 - (0.1 if s.arm == "none" and s.point == 1 else 0.0)}

    folder = folder_of_outcomes(a_plan(None, [0.3, 0.7]), tmp_path / "t", outcome)
    table = robustness(load(folder)).set_index("arm")
    assert table["best_share"].tolist() == pytest.approx([0.75, 0.25])
    assert table["best_or_tied"].tolist() == pytest.approx([1.0, 0.5])
    assert main(["robustness", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "best or tied at" in out and "model is best or tied for best" in out
    assert " 75 %" not in out  # (the split share, which read as best at 75 %: not shown)


def test_the_command_says_a_folder_is_partial(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The words of the report's banner (report_data.partial_results), then the ranking."""
    from simulator.cli_robustness import PARTIAL_THEN
    from simulator.results import ResultsFolder
    from simulator.sweep import RunResult

    plan = a_plan(None, [0.3, 0.7])
    folder = ResultsFolder.open(tmp_path / "half", plan)
    attempt = folder.begin(plan.run_count)
    done = [s for s in plan.runs() if s.point == 0 or s.replication < 2]
    folder.write(
        0,
        attempt,
        [
            RunResult(s.point, s.arm, s.replication, nest_outcome(s), None, None, None, 0.0)
            for s in done
        ],
    )
    assert main(["robustness", str(tmp_path / "half")]) == 0
    out = capsys.readouterr().out
    said = "note: Partial results: 4 of 16 planned runs have not run (the sweep was interrupted"
    assert out.startswith(said) and PARTIAL_THEN in out


def test_the_report_sections_say_which_interval_is_which(tmp_path: Path) -> None:
    """(results.load is to put the manifest's ``orgs`` in ``outcomes.attrs``; set here.)"""
    from simulator.report_contrasts import contrasts_section
    from simulator.report_data import analyse
    from simulator.report_robustness import robustness_section

    results = load(folder_of_outcomes(a_plan(2, [0.3, 0.7]), tmp_path / "r", nest_outcome))
    results.outcomes.attrs["orgs"] = 2
    section = contrasts_section(analyse(results))
    assert "<th>Over organisations [95 % CI]</th><th>Organisations</th>" in section
    assert "pooled over 2 design points" in section and "these 4 organisations" in section
    assert '<td class="n">4</td>' in section  # (pooled: 2 points x 2 organisations)
    ranked = robustness_section(results)
    assert ranked.count("resamples organisations") == 1  # (once, not once per outcome)


@pytest.mark.parametrize("orgs", [1, 2])
def test_the_report_says_the_orgs_note_once(tmp_path: Path, orgs: int) -> None:
    """In full under Paired contrasts (first on the page), a pointer in the Summary; with
    ``orgs = 1`` the pooled table has the interval over the two points' organisations and
    the table by design point none."""
    from simulator.report import write_report

    folder = folder_of_outcomes(a_plan(orgs, [0.3, 0.7]), tmp_path / "r", nest_outcome)
    page = write_report(folder).read_text(encoding="utf-8")
    assert page.count("(replication r ran on organisation r mod") == (orgs > 1)
    assert page.count("orgs = 1: the replications of a design point all ran") == (orgs == 1)
    assert page.count(f"orgs = {orgs}: what the intervals hold for: see Paired contrasts.") == 1
    summary = page[page.index("<h2>Summary</h2>") :]
    assert "org_ci" not in summary[: summary.index("<details>")]
    if orgs == 1:
        by_point = page[page.index("<h3>Final share posting, by design point</h3>") :]
        assert page.count("<th>Over organisations [95 % CI]</th>") == 1
        assert "Over organisations" not in by_point[: by_point.index("</table>")]
        assert "over the 2 points&#x27; organisations" in page
