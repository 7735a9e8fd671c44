"""Robustness of arms over a design (mean, worse tail, worst point, regret, best share),
checked by hand on outcomes built per run and written as a sweep writes them
(:func:`builders.folder_of_outcomes`), read back by :func:`simulator.results.load`.

The hand case: three design points (openness 0.1, 0.5, 0.9), three arms, two
replications. Final share posting per run, and the point means:

============  ==============  ==============  ==============
point         model           delegate        none
============  ==============  ==============  ==============
0 (0.1)       0.5, 0.7 = 0.6  0.3, 0.5 = 0.4  0.6, 0.6 = 0.6
1 (0.5)       0.2, 0.2 = 0.2  0.5, 0.3 = 0.4  0.1, 0.1 = 0.1
2 (0.9)       0.8, 0.8 = 0.8  0.4, 0.4 = 0.4  0.5, 0.7 = 0.6
============  ==============  ==============  ==============

Best: model and none tie at point 0, delegate at 1, model at 2. Regrets: model 0, 0.2, 0
(mean 0.2 / 3, max 0.2 at openness 0.5); delegate 0.2, 0, 0.4 (mean 0.2, max 0.4 at 0.9);
none 0, 0.3, 0.2 (mean 0.5 / 3, max 0.3 at 0.5). Best shares (ties split): model
(1/2 + 0 + 1) / 3 = 1/2, delegate 1/3, none 1/6; best or tied (not split): model 2/3,
delegate 1/3, none 1/3.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from builders import folder_of_outcomes

from simulator.cli import main
from simulator.report import write_report
from simulator.results import ResultsFolder, load
from simulator.robustness import RobustnessError, direction, robustness
from simulator.robustness_words import verdict
from simulator.scenario import Plan, parse_scenario
from simulator.shard import Shard
from simulator.sweep import RunResult, sweep

ARMS = {
    "model": {"leaders.strategy": "model"},
    "delegate": {"leaders.strategy": "delegate"},
    "none": {"leaders.strategy": "none"},
}
OPENNESS = [0.1, 0.5, 0.9]
POSTER = {
    "model": [(0.5, 0.7), (0.2, 0.2), (0.8, 0.8)],
    "delegate": [(0.3, 0.5), (0.5, 0.3), (0.4, 0.4)],
    "none": [(0.6, 0.6), (0.1, 0.1), (0.5, 0.7)],
}
STEPS = 8


def a_plan(replications: int = 2, arms: Any = ARMS, values: Any = OPENNESS) -> Plan:
    data = {
        "scenario": {"name": "hand", "seed": 5, "replications": replications, "steps": STEPS},
        "arms": arms,
        "axes": [{"param": "culture.openness", "values": values}],
    }
    return parse_scenario(data, source="hand")[1]


def hand_outcome(s: Any) -> dict[str, float]:
    """The table above; ``t50`` is 10 - 10 x the share (lower is better, same order);
    ``t90`` reached in week 6 by model, never by the others; ``deepest_level`` none
    reached in delegate's first replication at point 0."""
    poster = POSTER[s.arm][s.point][s.replication]
    return {
        "poster": poster,
        "t50": 10.0 - 10.0 * poster,
        "t90": 6.0 if s.arm == "model" else np.nan,
        "deepest_level": np.nan if (s.arm, s.point, s.replication) == ("delegate", 0, 0) else 2.0,
    }


@pytest.fixture(scope="module")
def hand(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return folder_of_outcomes(a_plan(), tmp_path_factory.mktemp("hand") / "res", hand_outcome)


def test_regret_worst_point_and_best_share_by_hand(hand: Path) -> None:
    table = robustness(load(hand), "poster").set_index("arm")
    assert list(table.index) == ["model", "none", "delegate"]  # by mean regret
    want = {
        "mean_regret": [0.2 / 3, 0.5 / 3, 0.2],
        "max_regret": [0.2, 0.3, 0.4],
        "best_share": [1 / 2, 1 / 6, 1 / 3],
        "best_or_tied": [2 / 3, 1 / 3, 1 / 3],  # (model and none tie at point 0)
        "mean": [1.6 / 3, 1.3 / 3, 0.4],
        "worst": [0.2, 0.1, 0.4],
        "tail": [0.2 + 0.2 * 0.4, 0.1 + 0.2 * 0.5, 0.4],  # numpy's 10th percentile of 3
    }
    for column, values in want.items():
        np.testing.assert_allclose(table[column], values, atol=1e-12, err_msg=column)
    assert table["max_regret_label"].tolist() == [
        "openness = 0.5",
        "openness = 0.5",
        "openness = 0.9",
    ]
    assert table["worst_point"].tolist() == [1, 1, 0]  # delegate: level, the first point
    assert (table["points"] == 3).all() and (table["better"] == "higher").all()
    assert table["best_share"].sum() == pytest.approx(1.0)
    per = table.attrs["per_point"].set_index(["point", "arm"])["regret"]
    assert per[(1, "none")] == pytest.approx(0.3) and per[(0, "none")] == 0.0


def test_a_lower_is_better_outcome_flips_the_regret(hand: Path) -> None:
    """``t50 = 10 - 10 x poster``: the same ranking, regrets ten times those of poster,
    the worst point the one of most weeks."""
    assert direction("t50") == "lower" and direction("poster") == "higher"
    weeks = robustness(load(hand), "t50").set_index("arm")
    share = robustness(load(hand), "poster").set_index("arm")
    assert list(weeks.index) == list(share.index)
    assert (weeks["better"] == "lower").all()
    np.testing.assert_allclose(weeks["mean_regret"], 10 * share["mean_regret"], atol=1e-9)
    np.testing.assert_allclose(weeks["best_share"], share["best_share"])
    np.testing.assert_allclose(weeks["worst"], [8.0, 9.0, 6.0])
    np.testing.assert_allclose(weeks["tail"], 10 - 10 * share["tail"], atol=1e-9)
    assert (weeks["mean_regret"] >= 0).all()


def test_a_milestone_never_reached_counts_as_the_week_after_the_horizon(hand: Path) -> None:
    ranked = robustness(load(hand), "t90")
    assert verdict(ranked).startswith("model is best or tied for best in t90 at every one of 3")
    table = ranked.set_index("arm")
    assert table.loc["model", "censored"] == 0 and table.loc["delegate", "censored"] == 6
    assert table.loc["none", "mean"] == STEPS + 1 and table.loc["model", "mean"] == 6.0
    assert table.loc["delegate", "mean_regret"] == STEPS + 1 - 6.0
    assert table.loc["model", "best_share"] == 1.0
    assert any("lower bound" in note for note in table.attrs["notes"])


def test_another_nan_is_left_out_of_its_point_and_counted(hand: Path) -> None:
    table = robustness(load(hand), "deepest_level").set_index("arm")
    assert table.loc["delegate", "missing"] == 1 and table.loc["model", "missing"] == 0
    assert table.loc["delegate", "censored"] == 0
    assert (table["mean"] == 2.0).all() and (table["mean_regret"] == 0).all()
    assert table.loc["delegate", "points"] == 3  # its other replication gives point 0


def test_a_replication_left_out_is_said_how_many_and_why(
    hand: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Delegate's first replication at point 0 reached no level at 10 % (no deepest_level):
    that replication is left out for all three arms, and the note, on the table and from
    ``orgsim robustness``, says how many and why (it had said "1 replication(s) of the points
    ranked where some arm has no value left out", naming neither the outcome, nor the arm,
    nor the reason); poster, valued in every run, has no such note."""
    ranked = robustness(load(hand), "deepest_level")
    said = [n for n in ranked.attrs["notes"] if "replication(s)" in n]
    assert said == [
        "deepest_level: 1 replication(s) of the points ranked left out, for every arm (the"
        " point means and the interval use the same runs), where a run has no deepest_level"
        " value (delegate: 1)"
    ]
    assert not any("replication(s)" in n for n in robustness(load(hand), "poster").attrs["notes"])
    assert main(["robustness", str(hand), "--metric", "deepest_level"]) == 0
    assert f"note: {said[0]}" in capsys.readouterr().out.splitlines()


def test_each_reason_for_leaving_a_replication_out_is_counted_by_arm() -> None:
    """Point 0 of a table with no folder behind it: b's replication 1 never reached half
    posting, with no horizon known to count it as the week after (so it has no value); a's
    replication 2 failed; b's replication 3 has not run (an interrupted sweep). Point 1 is
    complete. Three replications of point 0 are left out, each reason said with its arm."""
    rows = [
        {"point": p, "arm": arm, "replication": r, "status": "ok", "t50": 5.0 + r + (arm == "b")}
        for p in (0, 1)
        for arm in ("a", "b")
        for r in range(4)
    ]
    table = pd.DataFrame(rows)
    at = (table["point"] == 0) & (table["arm"] == "b")
    table.loc[at & (table["replication"] == 1), "t50"] = np.nan
    table.loc[
        (table["point"] == 0) & (table["arm"] == "a") & (table["replication"] == 2), "status"
    ] = "failed"
    table = table[~(at & (table["replication"] == 3))]
    ranked = robustness(table, "t50", bootstraps=0).set_index("arm")
    assert ranked.loc["b", "missing"] == 1 and (ranked["points"] == 2).all()
    assert ranked.loc["b", "mean"] == pytest.approx(
        (6.0 + 7.5) / 2
    )  # (point 0: replication 0 alone)
    assert (
        "t50: 3 replication(s) of the points ranked left out, for every arm (the point means"
        " and the interval use the same runs), where a run failed (a: 1) or has not run (b: 1)"
        " or has no t50 value (b: 1)"
    ) in ranked.attrs["notes"]


def test_a_point_where_an_arm_has_no_value_is_left_out(tmp_path: Path) -> None:
    def outcome(s: Any) -> dict[str, float]:
        lost = s.arm == "none" and s.point == 2
        return {"poster": np.nan if lost else POSTER[s.arm][s.point][s.replication]}

    table = robustness(load(folder_of_outcomes(a_plan(), tmp_path / "res", outcome)), "poster")
    assert (table["points"] == 2).all()
    assert any("1 design point(s)" in note for note in table.attrs["notes"])
    assert table.set_index("arm").loc["delegate", "mean_regret"] == pytest.approx(0.1)


def test_one_point_left_of_two_says_so_not_that_the_design_has_one() -> None:
    """Arm b has no value at point 1: point 0 alone is ranked, and the notes and the
    verdict say it is the one left of two, not a design of one point."""
    table = pd.DataFrame(
        {
            "point": [0, 0, 0, 0, 1, 1],
            "arm": ["a", "b", "a", "b", "a", "b"],
            "replication": [0, 0, 1, 1, 0, 1],
            "status": "ok",
            "poster": [0.1, 0.2, 0.3, 0.4, 0.5, np.nan],
        }
    )
    ranked = robustness(table)
    notes = ranked.attrs["notes"]
    assert any(n.startswith("1 design point(s) where no replication") for n in notes)
    assert any(n.startswith("one design point left (of 2): nothing to rank") for n in notes)
    assert not any(n.startswith("one design point:") for n in notes)
    assert verdict(ranked).startswith("b is best or tied for best in poster at the one design")
    assert "at the one design point left (of 2);" in verdict(ranked)
    whole = robustness(table[table["point"] == 0])  # (a design of one point: as before)
    assert verdict(whole).startswith(
        "b is best or tied for best in poster at the one design point;"
    )


def test_the_interval_keeps_the_pairs(tmp_path: Path) -> None:
    """A replication's noise is shared by its arms (common random numbers) and the gap is
    the same in every replication: resampled in pairs, the regret does not move at all,
    where resampling each arm's runs apart would spread it."""

    def outcome(s: Any) -> dict[str, float]:
        shared = np.random.default_rng([s.point, s.replication]).normal(0, 0.2)
        return {"poster": 0.5 + shared + (0.1 * s.point if s.arm == "model" else 0.0)}

    folder = folder_of_outcomes(
        a_plan(6, {k: ARMS[k] for k in ("model", "delegate")}), tmp_path / "r", outcome
    )
    table = robustness(load(folder), "poster").set_index("arm")
    for arm in table.index:
        low, high = table.loc[arm, ["regret_low", "regret_high"]]
        assert low == pytest.approx(table.loc[arm, "mean_regret"], abs=1e-12)
        assert high == pytest.approx(low, abs=1e-12)
    assert table.loc["delegate", "mean_regret"] == pytest.approx(0.1)  # (0 + 0.1 + 0.2) / 3


def test_the_interval_is_ordered_reproducible_and_needs_two_replications(
    hand: Path, tmp_path: Path
) -> None:
    table = robustness(load(hand), "poster", bootstraps=400, rng=1)
    assert (table["regret_low"] <= table["regret_high"]).all()
    assert (table["regret_low"] >= 0).all()
    again = robustness(load(hand), "poster", bootstraps=400, rng=1)
    pd.testing.assert_frame_equal(table, again)  # (the same rng, the same interval)
    one = folder_of_outcomes(a_plan(1), tmp_path / "one", hand_outcome)
    assert robustness(load(one), "poster")[["regret_low", "regret_high"]].isna().all().all()


@pytest.mark.parametrize("lost", ["failed", "nan"])
def test_the_point_means_and_the_interval_use_the_same_replications(lost: str) -> None:
    """Arm b's third replication at point 0 failed (or has no value): arm a's is left out of
    point 0 as well. Point 0: a 0.5, 0.7 (0.9 out) = 0.6, b 0.4, 0.6 = 0.5; point 1: a 0.2,
    b 0.5. Regrets: a 0 and 0.3, mean 0.15; b 0.1 and 0, mean 0.05. The gap is the same in
    every replication of a point, so every resample gives those regrets: the interval is
    the estimate. With a's 0.9 in its mean (0.7), b's mean regret had been 0.1 and its
    interval 0.05 to 0.05."""
    poster = {"a": [(0.5, 0.7, 0.9), (0.2,) * 3], "b": [(0.4, 0.6, 0.8), (0.5,) * 3]}
    rows = [
        {"point": p, "arm": arm, "replication": r, "status": "ok", "poster": v}
        for arm, points in poster.items()
        for p, values in enumerate(points)
        for r, v in enumerate(values)
    ]
    table = pd.DataFrame(rows)
    where = (table["arm"] == "b") & (table["point"] == 0) & (table["replication"] == 2)
    table.loc[where, "status" if lost == "failed" else "poster"] = (
        "failed" if lost == "failed" else np.nan
    )
    ranked = robustness(table, bootstraps=200).set_index("arm").loc[["a", "b"]]
    np.testing.assert_allclose(ranked["mean_regret"], [0.15, 0.05], atol=1e-12)
    np.testing.assert_allclose(ranked["regret_low"], ranked["mean_regret"], atol=1e-12)
    np.testing.assert_allclose(ranked["regret_high"], ranked["mean_regret"], atol=1e-12)
    np.testing.assert_allclose(ranked["mean"], [(0.6 + 0.2) / 2, (0.5 + 0.5) / 2], atol=1e-12)
    assert ranked.loc["a", "runs"] == 6  # (every finished run counted, all the same)
    assert any("1 replication(s)" in note for note in ranked.attrs["notes"])


def test_points_that_share_their_values_are_told_apart_by_number(tmp_path: Path) -> None:
    """A sampled design that drew openness 0.5 at two points: its label says which point
    (both had read "openness = 0.5")."""

    def outcome(s: Any) -> dict[str, float]:
        return {"poster": POSTER[s.arm][s.point][s.replication]}

    plan = a_plan(values=[0.1, 0.5, 0.9])
    folder = folder_of_outcomes(plan, tmp_path / "res", outcome)
    results = load(folder)
    results.outcomes.loc[results.outcomes["point"] == 2, "culture.openness"] = 0.5
    table = robustness(results, "poster").set_index("arm")
    assert table.loc["delegate", "max_regret_label"] == "openness = 0.5 (point 2)"
    assert table.loc["model", "max_regret_label"] == "openness = 0.5 (point 1)"
    assert table.loc["model", "worst_label"] == "openness = 0.5 (point 1)"


def test_the_interval_resamples_only_the_replications_a_point_has() -> None:
    """Each point holds its own replications (point p: p, p + 3, p + 6, p + 9, as a shard
    or an interrupted sweep leaves them), and one pair lacks arm b: the interval is that of
    the same runs numbered 0 to 3, with the incomplete pair out of the resamples. The cube
    of every point and replication number had NaN rows for the others, which the bootstrap
    counted and drew."""
    rng = np.random.default_rng(4)
    rows = [
        {"point": p, "arm": arm, "replication": r, "poster": 0.4 + 0.1 * p * (arm == "a") + e}
        for p in range(3)
        for r, noise in zip(range(p, 12, 3), rng.normal(0, 0.1, (4, 2)), strict=True)
        for arm, e in zip(["a", "b"], noise, strict=True)
    ]
    shard = pd.DataFrame(rows).assign(status="ok")
    shard.loc[
        (shard["point"] == 1) & (shard["replication"] == 10) & (shard["arm"] == "b"), "poster"
    ] = np.nan
    packed = shard.assign(replication=shard["replication"] // 3)
    got, want = robustness(shard, bootstraps=200), robustness(packed, bootstraps=200)
    pd.testing.assert_frame_equal(got, want)
    assert got[["regret_low", "regret_high"]].notna().all().all()
    paired = packed[~((packed["point"] == 1) & (packed["replication"] == 3))]
    pd.testing.assert_frame_equal(
        got[["arm", "regret_low", "regret_high"]],
        robustness(paired, bootstraps=200)[["arm", "regret_low", "regret_high"]],
    )


def test_a_shard_of_one_replication_a_point_has_no_interval(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Shard 1 of 3 of a sweep of three replications holds one replication of each point:
    no interval (the cube of every point and replication had printed 0.0 to 2.8 pp)."""
    data = {
        "scenario": {"name": "rob", "seed": 3, "replications": 3, "steps": 8},
        "params": {"org": {"size": 60}},
        "arms": {"model": ARMS["model"], "delegate": ARMS["delegate"]},
        "axes": [{"param": "culture.openness", "values": [0.3, 0.7]}],
    }
    out = tmp_path / "shard1"
    sweep(parse_scenario(data)[1], out, workers=1, shard=Shard.parse("1/3"))
    results = load(out)
    assert results.outcomes.groupby(["point", "arm"]).size().eq(1).all()  # (as built)
    table = robustness(results, "poster")
    assert table[["regret_low", "regret_high"]].isna().all().all()
    assert (table["points"] == 2).all() and table["mean_regret"].notna().all()
    assert main(["robustness", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[4:7] for line in lines[1:3]] == [["-", "to", "-"]] * 2


def test_bad_arguments_are_refused_naming_what_would_do(hand: Path) -> None:
    results = load(hand)
    with pytest.raises(ValueError, match="did you mean 'poster'"):
        robustness(results, "postr")
    with pytest.raises(RobustnessError, match=r"no known better direction.*better="):
        robustness(results, "leader_attention")
    with pytest.raises(RobustnessError, match="percentile = 60: must be 0 to 50"):
        robustness(results, "poster", percentile=60)
    with pytest.raises(RobustnessError, match="better = 'up'"):
        robustness(results, "poster", better="up")


def test_verdict_names_the_most_robust_arm_and_where_the_least_falls_behind(hand: Path) -> None:
    said = verdict(robustness(load(hand), "poster"))
    assert said == (
        "model has the lowest mean regret in poster: 6.7 pp over 3 design points; delegate"
        " falls furthest behind at openness = 0.9 (40.0 pp behind model)"
    )


# -- the command line --------------------------------------------------------------------------
def test_the_command_prints_the_ranked_table_and_writes_the_csv(
    hand: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "new" / "rob.csv"
    assert main(["robustness", str(hand), "--out", str(target)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:4] == ["rank", "arm", "mean", "regret"]
    assert [line.split()[:2] for line in lines[1:4]] == [
        ["1", "model"],
        ["2", "none"],
        ["3", "delegate"],
    ]
    assert "6.7 pp" in lines[1] and "openness = 0.5" in lines[1]
    assert lines[4].startswith("model has the lowest mean regret in poster")
    written = pd.read_csv(target)
    assert written["arm"].tolist() == ["model", "none", "delegate"]
    np.testing.assert_allclose(written["max_regret"], [0.2, 0.3, 0.4])


def test_the_command_counts_runs_that_never_reached_a_milestone(
    hand: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["robustness", str(hand), "--metric", "t90", "--percentile", "0"]) == 0
    out = capsys.readouterr().out
    assert "delegate: 6 of 6 runs never reached t90" in out and "model: " not in out
    assert "worse 0 %" in out and "9 weeks" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--metric", "postr"], "no outcome 'postr' \\(did you mean 'poster'\\?\\): the outcomes"),
        (
            ["--metric", "leader_attention"],
            "no known better direction: pass --better higher or --better lower, or rank one of",
        ),
        (["--percentile", "90"], "90.0 is not in the range 0<=x<=50"),
    ],
)
def test_the_command_line_errors(
    hand: Path, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["robustness", str(hand), *args]) != 0
    err = capsys.readouterr().err
    assert err.startswith("orgsim: error:") and "Traceback" not in err
    assert len(re.findall(message, err)) == 1


def test_the_command_says_when_no_run_has_finished(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every run failed, or none has been written yet: that, not the metric, is what is
    wrong (it had said "metric 'poster': no run of these results has it")."""
    plan = a_plan()
    failed = ResultsFolder.open(tmp_path / "failed", plan)
    attempt = failed.begin(plan.run_count)
    runs = [
        RunResult(s.point, s.arm, s.replication, {}, None, None, "boom", 0.0) for s in plan.runs()
    ]
    failed.write(0, attempt, runs)
    failed.finish(attempt, 0, len(runs))
    ResultsFolder.open(tmp_path / "begun", plan).begin(plan.run_count)
    for name in ("failed", "begun"):
        assert main(["robustness", str(tmp_path / name)]) != 0
        err = capsys.readouterr().err
        assert f"{tmp_path / name}: no run has finished: nothing to rank" in err
    with pytest.raises(RobustnessError, match="no run has finished"):
        robustness(load(tmp_path / "failed"), "poster")


def test_leader_attention_is_ranked_with_a_direction_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def outcome(s: Any) -> dict[str, float]:
        return {"leader_attention": {"model": 0.3, "delegate": 0.2, "none": 0.1}[s.arm]}

    folder = folder_of_outcomes(a_plan(), tmp_path / "res", outcome)
    assert (
        main(["robustness", str(folder), "--metric", "leader_attention", "--better", "lower"]) == 0
    )
    assert capsys.readouterr().out.splitlines()[1].split()[:2] == ["1", "none"]


# -- a scenario's own outcomes ----------------------------------------------------------------
OWN = {
    "poster_w4": {"series": "poster", "at": 4},  # a share of posters: higher is better
    "weeks_to_90": {"series": "poster", "first_reaching": 0.9},  # weeks to it: lower
    "listener_w4": {"series": "listener", "at": 4},  # no better way
}


@pytest.fixture(scope="module")
def own(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand case again, with its outcomes named as a scenario's ``[outcomes]``:
    ``poster_w4`` is the table's share, ``weeks_to_90`` is ``t90`` (week 6 for model, never
    for the others), ``listener_w4`` one minus the share."""
    data = {
        "scenario": {"name": "own", "seed": 5, "replications": 2, "steps": STEPS},
        "arms": ARMS,
        "axes": [{"param": "culture.openness", "values": OPENNESS}],
        "outcomes": OWN,
    }

    def outcome(s: Any) -> dict[str, float]:
        hand = hand_outcome(s)
        return {
            **hand,
            "poster_w4": hand["poster"],
            "weeks_to_90": hand["t90"],
            "listener_w4": 1.0 - hand["poster"],
        }

    plan = parse_scenario(data, source="own.toml")[1]
    return folder_of_outcomes(plan, tmp_path_factory.mktemp("own") / "res", outcome)


def test_a_scenarios_own_outcomes_are_better_the_way_their_measure_says(own: Path) -> None:
    """No ``better=`` needed: a share of posters is higher-is-better, the first week it
    reaches 90 % lower-is-better (never reached: the week after the horizon, as t90)."""
    results = load(own)
    share = robustness(results, "poster_w4")
    assert (share["better"] == "higher").all()
    pd.testing.assert_frame_equal(
        share.drop(columns="metric"), robustness(results, "poster").drop(columns="metric")
    )
    weeks = robustness(results, "weeks_to_90").set_index("arm")
    assert (weeks["better"] == "lower").all() and weeks.index[0] == "model"
    assert weeks.loc["none", "mean"] == STEPS + 1 and weeks.loc["delegate", "censored"] == 6
    assert weeks.loc["delegate", "mean_regret"] == STEPS + 1 - 6.0
    custom = results.outcomes.attrs["measures"]
    assert direction("weeks_to_90", custom=custom) == "lower"
    assert direction("poster_w4", custom=custom) == "higher"


def test_an_own_outcome_of_no_better_way_still_needs_one(own: Path) -> None:
    results = load(own)
    with pytest.raises(RobustnessError, match=r"'listener_w4' has no known better direction"):
        robustness(results, "listener_w4")
    lower = robustness(results, "listener_w4", better="lower")
    assert lower["arm"].tolist() == robustness(results, "poster")["arm"].tolist()


def test_the_command_ranks_an_own_outcome_and_shows_it_in_its_unit(
    own: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["robustness", str(own), "--metric", "poster_w4"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split()[:2] == ["1", "model"] and "6.7 pp" in lines[1]  # (a share)
    assert lines[4].startswith("model has the lowest mean regret in poster_w4: 6.7 pp")
    assert main(["robustness", str(own), "--metric", "weeks_to_90", "--percentile", "0"]) == 0
    out = capsys.readouterr().out
    assert "delegate: 6 of 6 runs never reached weeks_to_90" in out and "9 weeks" in out
    assert main(["robustness", str(own), "--metric", "listener_w4"]) != 0
    assert "no known better direction" in capsys.readouterr().err


KEY_COLUMN = "a column that says which run a row is or how it went, not an outcome to rank"


@pytest.mark.parametrize(
    ("metric", "message", "error"),
    [
        ("seed", f"metric 'seed': {KEY_COLUMN}; the outcomes are", RobustnessError),
        ("replication", f"metric 'replication': {KEY_COLUMN}", RobustnessError),
        ("status", f"metric 'status': {KEY_COLUMN}", RobustnessError),
        (
            "culture.openness",
            "metric 'culture.openness': a swept parameter, not an outcome to rank",
            RobustnessError,
        ),
        ("weeks_to_9", "no outcome 'weeks_to_9' (did you mean 'weeks_to_90'?)", ValueError),
    ],
)
def test_the_command_ranks_outcomes_only_and_names_the_scenarios_own(
    own: Path, metric: str, message: str, error: type[Exception], capsys: pytest.CaptureFixture[str]
) -> None:
    """A key column or a swept parameter is no outcome to rank (they had been ranked: "the
    arms are level"); the list of outcomes holds the scenario's own (it had left them out)."""
    assert main(["robustness", str(own), "--metric", metric, "--better", "higher"]) != 0
    err = capsys.readouterr().err
    assert message in err, err
    assert err.startswith("orgsim: error:") and "Traceback" not in err
    outcomes = err[err.index("the outcomes are") :]
    assert all(name in outcomes for name in ("poster", "t50", *OWN)), outcomes
    with pytest.raises(error, match=re.escape(message)):
        robustness(load(own), metric, better="higher")


# -- the report ------------------------------------------------------------------------------
def small_sweep(out: Path, values: list[float]) -> Path:
    data = {
        "scenario": {"name": "rob", "seed": 3, "replications": 2, "steps": 8},
        "params": {"org": {"size": 60}},
        "arms": {"model": ARMS["model"], "delegate": ARMS["delegate"]},
        "axes": [{"param": "culture.openness", "values": values}],
    }
    sweep(parse_scenario(data)[1], out, workers=1)
    return out


def test_the_report_ranks_the_arms_of_a_design_of_several_points(tmp_path: Path) -> None:
    text = write_report(small_sweep(tmp_path / "two", [0.3, 0.7])).read_text(encoding="utf-8")
    section = text[text.index("<h2>Robustness across the design</h2>") :]
    assert section.index("Robustness") < section.index("Provenance")
    table = robustness(load(tmp_path / "two"), "poster")
    first = table.iloc[0]
    assert f"<td>poster</td><td>{first['arm']}</td>" in section
    assert verdict(table).replace("'", "&#x27;") in section
    assert "<td>t50</td>" in section


def test_the_reports_robustness_notes_say_which_replications_were_left_out_and_why(
    tmp_path: Path,
) -> None:
    """None's second replication at point 1 failed, and model's first at point 2 has no
    final share posting: the report's robustness section says, per outcome, how many
    replications it left out and why (t50: the failure only, as a NaN t50 is a milestone
    never reached, counted as the week after the horizon)."""
    plan = a_plan()
    folder = ResultsFolder.open(tmp_path / "res", plan)
    attempt = folder.begin(plan.run_count)
    runs = []
    for s in plan.runs():
        failed = (s.arm, s.point, s.replication) == ("none", 1, 1)
        values = {} if failed else hand_outcome(s)
        if (s.arm, s.point, s.replication) == ("model", 2, 0):
            values = {**values, "poster": np.nan, "t50": np.nan}
        error = "boom" if failed else None
        runs.append(RunResult(s.point, s.arm, s.replication, values, None, None, error, 0.0))
    folder.write(0, attempt, runs)
    folder.finish(attempt, len(runs) - 1, 1)
    text = write_report(tmp_path / "res").read_text(encoding="utf-8")
    section = text[text.index("<h2>Robustness across the design</h2>") :]
    why = "left out, for every arm (the point means and the interval use the same runs), where"
    assert (
        f"<li>poster: 2 replication(s) of the points ranked {why} a run failed (none: 1) or has"
        " no poster value (model: 1)</li>"
    ) in section
    assert f"<li>t50: 1 replication(s) of the points ranked {why} a run failed (none: 1)</li>" in (
        section
    )


def test_a_one_point_design_has_no_robustness_section(tmp_path: Path) -> None:
    text = write_report(small_sweep(tmp_path / "one", [0.5])).read_text(encoding="utf-8")
    assert "Robustness across the design" not in text and "Provenance" in text


def test_an_outcomes_table_alone_is_ranked_and_failed_runs_are_left_out() -> None:
    """A table with no folder behind it: points named by number, a failed run out of its
    point's mean, and no interval from one replication."""
    table = pd.DataFrame(
        {
            "point": [0, 0, 0, 1, 1],
            "arm": ["a", "b", "b", "a", "b"],
            "replication": [0, 0, 1, 0, 0],
            "status": ["ok", "ok", "failed", "ok", "ok"],
            "poster": [0.1, 0.2, 0.9, 0.3, 0.1],
        }
    )
    ranked = robustness(table).set_index("arm")
    np.testing.assert_allclose(ranked["mean_regret"], [0.05, 0.1])  # a: (0.1 + 0) / 2
    assert ranked.loc["b", "max_regret_label"] == "point 1" and ranked.loc["b", "runs"] == 2
    assert ranked[["regret_low", "regret_high"]].isna().all().all()
    with pytest.raises(RobustnessError, match="no run has finished"):
        robustness(table.assign(status="failed"))


def test_the_names_this_module_had_still_import_from_it() -> None:
    """The words and the report's section moved out (robustness_words, report_robustness):
    code written against simulator.robustness keeps working."""
    import simulator.report_robustness as section
    import simulator.robustness_words as words
    from simulator.robustness import REPORT_METRICS, report_section, shown, verdict

    assert (shown, verdict) == (words.shown, words.verdict)
    assert report_section is section.robustness_section
    assert REPORT_METRICS == section.REPORT_METRICS
