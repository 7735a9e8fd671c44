"""Scenario discovery (PRIM, from the EMA Workbench) finds boxes known by construction.

The outcomes are functions of the design points the scenario planner drew, written to a
results folder as a sweep writes its runs (:func:`builders.folder_of_outcomes`) and read back
by :func:`simulator.results.load`: the region where the condition holds is known, and so are
the paired differences.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from builders import folder_of_outcomes, printed_in_a_fresh_process

from simulator.cli import main
from simulator.discovery import (
    DiscoveryError,
    MissingExtraError,
    discover,
    parse_condition,
    question,
)
from simulator.results import load
from simulator.scenario import Plan, parse_scenario

A, B, C = "culture.openness", "people.threshold_mean", "delegation.endorsement"  # all on [0, 1]
ARMS = {"model": {"leaders.strategy": "model"}, "delegate": {"leaders.strategy": "delegate"}}


def a_plan(name: str, design: dict[str, Any], axes: Any = (A, B, C), **scenario: Any) -> Plan:
    data: dict[str, Any] = {
        "scenario": {"name": name, "seed": 11, "replications": 1, "steps": 1, **scenario},
        "design": design,
    }
    if axes:
        data["axes"] = [{"param": p} for p in axes]
    if "arms" in scenario:
        data["arms"] = data["scenario"].pop("arms")
    return parse_scenario(data, source=name)[1]


def written(p: Plan, out: Path, outcome: Any) -> Path:
    """A results folder whose runs' outcomes are ``outcome(point values, spec)``."""
    return folder_of_outcomes(p, out, lambda s: outcome(p.points[s.point], s))


@pytest.fixture(scope="module")
def corner(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """600 Latin-hypercube points of one arm; posters stay low exactly where a < 0.3 and
    b > 0.5 (15 % of the cube); c does nothing."""
    p = a_plan("corner", {"kind": "lhs", "samples": 600})

    def outcome(x: dict[str, float], spec: Any) -> dict[str, float]:
        low = x[A] < 0.3 and x[B] > 0.5
        return {"poster": 0.1 if low else 0.5, "t10": np.nan if low else 8.0}

    return written(p, tmp_path_factory.mktemp("corner") / "res", outcome)


def test_the_box_recovers_the_corner_and_leaves_the_idle_axis_alone(corner: Path) -> None:
    found = discover(corner, "poster < 0.2", threshold=1.0)
    limits = found.limits.set_index("parameter")
    assert found.reached and found.box["density"] == 1.0
    assert found.box["coverage"] > 0.9  # nearly all the corner's runs are in the box
    assert abs(limits.loc[A, "high"] - 0.3) < 0.03 and not np.isnan(limits.loc[A, "qp_high"])
    assert abs(limits.loc[B, "low"] - 0.5) < 0.03 and not np.isnan(limits.loc[B, "qp_low"])
    assert limits.loc[A, "low"] == limits.loc[A, "swept_low"]  # one-sided restrictions
    assert limits.loc[B, "high"] == limits.loc[B, "swept_high"]
    assert not limits.loc[C, "restricted"]
    assert list(found.limits["parameter"])[:2] == [A, B]  # the restricted ones first
    assert limits.loc[A, "qp_high"] < 1e-6 and limits.loc[B, "qp_low"] < 1e-6
    # the box is the first on the trajectory that is all runs of interest
    t = found.trajectory
    assert (t.loc[: found.chosen - 1, "density"] < 1.0).all()
    assert "highest coverage" in found.why


def test_a_milestone_never_reached_counts_as_later_than_any_week(corner: Path) -> None:
    q = question(corner, "t10 > 20")
    assert q.y.sum() == question(corner, "poster < 0.2").y.sum()  # never reached: the corner
    assert any("never reached it" in n for n in q.notes)


def test_a_scenarios_own_first_week_never_reached_counts_as_later_than_any_week(
    tmp_path: Path,
) -> None:
    """An ``[outcomes]`` first_reaching outcome (kind weeks) is read as t10 is: the runs
    that never reached 30 % posting are the corner, not rows left out."""
    data = {
        "scenario": {"name": "own", "seed": 11, "replications": 1, "steps": 1},
        "design": {"kind": "lhs", "samples": 200},
        "axes": [{"param": p} for p in (A, B, C)],
        "outcomes": {"weeks_to_30": {"series": "poster", "first_reaching": 0.3}},
    }
    p = parse_scenario(data, source="own")[1]

    def outcome(x: dict[str, float], spec: Any) -> dict[str, float]:
        low = x[A] < 0.3 and x[B] > 0.5
        return {"poster": 0.1 if low else 0.5, "weeks_to_30": np.nan if low else 1.0}

    folder = written(p, tmp_path / "res", outcome)
    corner = question(folder, "poster < 0.2").y
    assert 0 < corner.sum() < len(corner)
    q = question(folder, "weeks_to_30 > 20")
    assert len(q.y) == len(corner) and (q.y == corner).all()
    assert f"weeks_to_30: {corner.sum()} runs never reached it" in " ".join(q.notes)
    assert np.isinf(q.values["weeks_to_30"][q.y]).all()


def test_the_threshold_chooses_the_box_or_says_none_reaches_it(corner: Path) -> None:
    loose = discover(corner, "poster < 0.2", threshold=0.5)
    assert loose.reached and loose.box["density"] >= 0.5
    assert loose.chosen < discover(corner, "poster < 0.2", threshold=1.0).chosen
    # every box on the trajectory with a higher coverage is less dense than asked
    t = loose.trajectory
    assert (t.loc[t["coverage"] > loose.box["coverage"], "density"] < 0.5).all()


def test_categories_and_true_false_axes_are_kept_as_sets(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    points = [
        {
            A: float(rng.random()),
            "org.team_ties": bool(rng.random() < 0.5),
            "delegation.mode": str(rng.choice(["report", "comms_team"])),
        }
        for _ in range(400)
    ]
    p = a_plan("kinds", {"kind": "points", "points": points}, axes=())

    def outcome(x: dict[str, Any], spec: Any) -> dict[str, float]:
        return {"poster": 0.1 if x[A] < 0.5 and x["org.team_ties"] else 0.5}

    found = discover(written(p, tmp_path / "res", outcome), "poster < 0.2", threshold=1.0)
    limits = found.limits.set_index("parameter")
    assert limits.loc["org.team_ties", "kind"] == "category"
    assert limits.loc["org.team_ties", "in_box"] == [True]
    assert limits.loc["org.team_ties", "swept"] == [False, True]
    assert abs(limits.loc[A, "high"] - 0.5) < 0.05
    assert not limits.loc["delegation.mode", "restricted"]
    assert re.search(r"org\.team_ties +true +false, true ", found.table())  # as TOML writes it


def test_categories_of_a_sampled_design_are_in_the_order_the_scenario_lists_them(
    tmp_path: Path,
) -> None:
    """A Latin hypercube over listed values draws them in a random order: the box, its table
    and box.json listed the policies as first drawn ('neutral', 'restrictive', 'open')."""
    listed = ["open", "neutral", "restrictive"]
    data = {
        "scenario": {"name": "order", "seed": 2, "replications": 1, "steps": 1},
        "axes": [{"param": A}, {"param": "culture.policy", "values": listed}],
        "design": {"kind": "lhs", "samples": 300},
    }
    p = parse_scenario(data, source="order")[1]
    drawn = list(dict.fromkeys(point["culture.policy"] for point in p.points))
    assert drawn != listed  # (else this test shows nothing)

    def outcome(x: dict[str, Any], spec: Any) -> dict[str, float]:
        low = x[A] < 0.5 and x["culture.policy"] != "open"
        return {"poster": 0.1 if low else 0.5}

    found = discover(written(p, tmp_path / "res", outcome), "poster < 0.2", threshold=1.0)
    limits = found.limits.set_index("parameter")
    assert limits.loc["culture.policy", "swept"] == listed
    assert limits.loc["culture.policy", "in_box"] == ["neutral", "restrictive"]


def test_a_whole_number_axis_gets_limits_it_ran_at(tmp_path: Path) -> None:
    """PRIM pastes a limit between two values (3.5 on org.span): written into the whole
    numbers' column, pandas 3 raised 'Invalid value 3.5 for dtype int64'; a limit between
    two values run now moves in to the nearest one, for numbers as for whole numbers."""
    rng = np.random.default_rng(3)
    points = [{A: float(rng.random()), "org.span": int(rng.integers(3, 11))} for _ in range(300)]
    p = a_plan("span", {"kind": "points", "points": points}, axes=())

    def outcome(x: dict[str, Any], spec: Any) -> dict[str, float]:
        return {"poster": 0.1 if x["org.span"] <= 5 and x[A] < 0.5 else 0.5}

    found = discover(written(p, tmp_path / "res", outcome), "poster < 0.2", threshold=1.0)
    limits = found.limits.set_index("parameter")
    assert limits.loc["org.span", "high"] == 5 and limits.loc["org.span", "low"] == 3
    ran = {point[A] for point in points}
    assert limits.loc[A, "high"] in ran and abs(limits.loc[A, "high"] - 0.5) < 0.05


@pytest.fixture(scope="module")
def pairs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two arms at four listed points, three replications: delegate - model is
    -0.2, -0.01, +0.03 and -0.1 at the points, whatever the replication."""
    points = [{A: 0.1, B: 0.2}, {A: 0.4, B: 0.9}, {A: 0.7, B: 0.5}, {A: 0.9, B: 0.1}]
    p = a_plan("pairs", {"kind": "points", "points": points}, axes=(), arms=ARMS, replications=3)
    gap = [-0.2, -0.01, 0.03, -0.1]

    def outcome(x: dict[str, float], spec: Any) -> dict[str, float]:
        model = 0.4 + 0.05 * spec.replication + 0.01 * spec.point
        return {"poster": model + (gap[spec.point] if spec.arm == "delegate" else 0.0)}

    return written(p, tmp_path_factory.mktemp("pairs") / "res", outcome)


def test_a_contrast_pairs_the_runs_of_each_point_and_replication(pairs: Path) -> None:
    q = question(pairs, "poster > -0.05", contrast="delegate")
    assert q.baseline == "model" and q.unit == "pairs" and str(q).startswith("delegate - model")
    assert list(q.x.index) == [(pt, r) for pt in range(4) for r in range(3)]
    gaps = np.repeat([-0.2, -0.01, 0.03, -0.1], 3)
    np.testing.assert_allclose(q.values["poster"], gaps, atol=1e-12)
    assert list(q.y) == list(gaps > -0.05)
    np.testing.assert_allclose(q.x[A], np.repeat([0.1, 0.4, 0.7, 0.9], 3))
    np.testing.assert_allclose(q.x[B], np.repeat([0.2, 0.9, 0.5, 0.1], 3))
    # one arm's condition is on its own runs
    one = question(pairs, "poster > 0.45", arm="model")
    assert one.unit == "runs" and one.y.sum() == 7  # 0.4 + 0.05 r + 0.01 p > 0.45


def test_a_failed_run_takes_its_pair_out(pairs: Path) -> None:
    results = load(pairs)
    failed = (results.outcomes["arm"] == "delegate") & (results.outcomes["point"] == 2)
    results.outcomes.loc[failed & (results.outcomes["replication"] == 1), "status"] = "failed"
    q = question(results, "poster > -0.05", contrast="delegate")
    assert (2, 1) not in q.x.index and len(q.y) == 11
    assert any("1 pair(s) of delegate and model left out" in n for n in q.notes)


def test_a_contrast_box_is_where_the_gap_closes(tmp_path: Path) -> None:
    p = a_plan("gap", {"kind": "lhs", "samples": 300}, arms=ARMS)

    def outcome(x: dict[str, float], spec: Any) -> dict[str, float]:
        close = spec.arm == "model" or x[B] >= 0.6
        return {"poster": 0.5 if close else 0.3}

    found = discover(written(p, tmp_path / "res", outcome), "poster > -0.05", contrast="delegate")
    limits = found.limits.set_index("parameter")
    assert abs(limits.loc[B, "low"] - 0.6) < 0.04 and found.box["density"] == 1.0
    assert not limits.loc[A, "restricted"] and not limits.loc[C, "restricted"]


@pytest.mark.parametrize(
    ("where", "said"),
    [
        ("postr < 0.2", "unknown metric 'postr' (did you mean 'poster'?); the metrics are"),
        ("final_posters < 0.2", "(did you mean 'poster'?)"),
        ("poster == 0.2", "'==' is not a comparison PRIM can use: use one of <, <=, >, >="),
        ("poster < abc", "expected a number after poster <, found 'abc'"),
        ("poster < 20 %", "write a share as a fraction: 0.2 for 20 %"),
        ("t10 < inf %", "inf is not a share: write t10 < inf, without %"),
        ("poster < 0.2 or t10 < 5", "only 'and' joins clauses, not 'or'"),
        ("poster <", "it ends where a number after poster < should come"),
        ("0.2 > poster", "expected a metric, found '0.2'"),
        ("", "an empty condition"),
        ("__import__('os') < 1", "expected one of <, <=, >, >= after '__import__', found '('"),
    ],
)
def test_a_bad_condition_names_the_argument_and_what_is_allowed(where: str, said: str) -> None:
    with pytest.raises(DiscoveryError) as caught:
        parse_condition(where, ["poster", "t10", "__import__"])
    assert caught.value.argument == "where" and caught.value.value == where
    assert said in str(caught.value) and str(caught.value).startswith(f"where = {where!r}: ")


def test_a_condition_of_two_clauses() -> None:
    c = parse_condition("poster>=0.2 AND t10<-1e-3", ["poster", "t10"])
    assert str(c) == "poster >= 0.2 and t10 < -0.001"


def test_inf_stands_for_a_milestone_never_reached(corner: Path) -> None:
    """Weeks to a milestone never reached count as later than any week, so the runs that
    never reached t10 are ``t10 >= inf`` (the corner) and those that did ``t10 < inf``;
    ``inf`` was refused as no number."""
    c = parse_condition("t10 < inf and t10 > -Infinity and poster <= +inf", ["poster", "t10"])
    assert [cl.value for cl in c.clauses] == [np.inf, -np.inf, np.inf]
    assert str(c) == "t10 < inf and t10 > -inf and poster <= inf"
    never, reached = question(corner, "t10 >= inf"), question(corner, "t10 < inf")
    assert (never.y == question(corner, "poster < 0.2").y).all() and never.y.sum() > 0
    assert (reached.y == ~never.y).all()
    with pytest.raises(DiscoveryError, match="expected a metric, found 'inf'"):
        parse_condition("inf > t10", ["t10", "info"])
    assert str(parse_condition("info < 1", ["t10", "info"])) == "info < 1"  # (a metric)


@pytest.mark.parametrize(
    ("where", "instead"),
    [
        ("t10 = inf", "for t10 = inf write t10 >= inf"),
        ("t10 == -inf", "for t10 == -inf write t10 <= -inf"),
        ("t10 != inf", "for t10 != inf write t10 < inf"),
    ],
)
def test_equal_to_inf_says_what_to_write_instead(where: str, instead: str) -> None:
    with pytest.raises(DiscoveryError) as caught:
        parse_condition(where, ["t10"])
    assert str(caught.value).endswith(f"(a box holds a range of values); {instead}")


@pytest.mark.parametrize(
    ("kwargs", "argument", "said"),
    [
        ({"arm": "delegat"}, "arm", "no such arm; did you mean 'delegate'? The arms are 'model'"),
        ({"contrast": "model"}, "contrast", "that is the baseline arm"),
        ({"arm": "model", "contrast": "delegate"}, "contrast", "not both"),
        ({}, "arm", "the results have the arms 'model' (the baseline), 'delegate'"),
        ({"arm": "model", "where": "poster > 5"}, "where", "holds for none of the 12 runs"),
        ({"arm": "model", "where": "poster > 0"}, "where", "holds for every one of the 12 runs"),
    ],
)
def test_a_question_that_cannot_be_asked_is_refused(
    pairs: Path, kwargs: dict[str, str], argument: str, said: str
) -> None:
    where = kwargs.pop("where", "poster > 0.45")
    with pytest.raises(DiscoveryError) as caught:
        question(pairs, where, **kwargs)
    assert caught.value.argument == argument and said in str(caught.value)


def test_a_one_arm_contrast_and_a_milestone_never_reached_are_said_plainly(
    corner: Path,
) -> None:
    """'contrast one of none' for the only arm; 't10 is inf to inf' for a milestone no run
    reached."""
    with pytest.raises(DiscoveryError, match="one arm, so there is nothing to contrast"):
        question(corner, "poster < 0.2", contrast="base")
    never = written(
        a_plan("never", {"kind": "lhs", "samples": 20}),
        corner.parent / "never",
        lambda x, s: {"poster": 0.1, "t10": np.nan},
    )
    with pytest.raises(DiscoveryError, match=r"\(t10 was reached in none of them\)"):
        question(never, "t10 < 30")


def test_pairs_left_out_are_said_when_too_few_parameters_vary_over_the_rest(
    tmp_path: Path,
) -> None:
    """Where b is 0.9 neither arm reaches t10: those pairs go, b no longer varies, and the
    refusal says why (it said only that a alone varies)."""
    points = [{A: 0.1, B: 0.2}, {A: 0.4, B: 0.9}, {A: 0.7, B: 0.2}, {A: 0.9, B: 0.9}]
    p = a_plan("gone", {"kind": "points", "points": points}, axes=(), arms=ARMS, replications=2)

    def outcome(x: dict[str, float], spec: Any) -> dict[str, float]:
        return {"poster": 0.3, "t10": np.nan if x[B] == 0.9 else 5.0 + spec.point}

    out = written(p, tmp_path / "res", outcome)
    with pytest.raises(DiscoveryError) as caught:
        question(out, "t10 < 1", contrast="delegate")
    assert (
        "only culture.openness varies over the pairs of delegate (4 pairs left out: neither arm"
        " reached the milestone)" in str(caught.value)
    )


@pytest.mark.parametrize(
    ("design", "axes"),
    [({"kind": "lhs", "samples": 20}, (A,)), ({"kind": "grid"}, ())],
    ids=["one axis", "one design point"],
)
def test_a_design_prim_cannot_use_is_refused(tmp_path: Path, design: Any, axes: Any) -> None:
    p = a_plan("flat", design, axes=axes, replications=4)
    out = written(p, tmp_path / "res", lambda x, s: {"poster": 0.1 * s.replication})
    with pytest.raises(DiscoveryError) as caught:
        question(out, "poster < 0.15")
    assert caught.value.argument == "results"
    assert "PRIM needs a sampled or grid design with two or more varying parameters" in str(
        caught.value
    )


def test_the_threshold_is_a_share(corner: Path) -> None:
    with pytest.raises(DiscoveryError, match=r"threshold = 1.5: must be a number above 0"):
        discover(corner, "poster < 0.2", threshold=1.5)


def test_the_command_writes_the_box_and_its_figures(corner: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "disc"
    args = ["discover", str(corner), "--where", "poster < 0.2", "--out", str(out)]
    assert main([*args, "--threshold", "1"]) == 0
    printed = capsys.readouterr().out
    assert "coverage" in printed and "density  100.0 %" in printed and A in printed
    for name in ("box.json", "box.csv", "trajectory.csv", "trajectory.png", "limits.png"):
        assert (out / name).stat().st_size > 0, name
    box = json.loads((out / "box.json").read_text())
    assert box["question"]["condition"] == "poster < 0.2" and box["box"]["density"] == 1.0
    assert {r["parameter"]: r["restricted"] for r in box["limits"]} == {A: True, B: True, C: False}
    assert box["trajectory"][box["box"]["box"]]["density"] == 1.0
    assert main(["discover", str(corner), "--where", "poster < 0.2"]) == 0  # default --out
    assert (corner / "discover" / "limits.png").exists()


def test_the_command_names_the_option_of_a_bad_value(corner: Path, capsys) -> None:
    assert main(["discover", str(corner), "--where", "postr < 0.2"]) == 2
    err = capsys.readouterr().err
    assert "orgsim: error: Invalid value for '--where': 'postr < 0.2': unknown metric" in err
    assert "Traceback" not in err
    assert main(["discover", str(corner), "--where", "poster < 0.2", "--arm", "x"]) == 2
    assert "Invalid value for '--arm': 'x': no such arm" in capsys.readouterr().err


def test_a_metric_in_capitals_is_suggested_as_written(corner: Path, capsys) -> None:
    """'POSTER' shares no letter with 'poster' as typed: its case is set aside."""
    assert main(["discover", str(corner), "--where", "POSTER < 0.1"]) == 2
    err = capsys.readouterr().err
    assert "'POSTER < 0.1': unknown metric 'POSTER' (did you mean 'poster'?)" in err
    assert "Traceback" not in err


def test_without_the_extra_the_command_says_how_to_install_it(
    corner: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setitem(sys.modules, "ema_workbench", None)  # (import fails, as if missing)
    assert main(["discover", str(corner), "--where", "poster < 0.2"]) != 0
    err = capsys.readouterr().err
    assert "install it with pip install -e '.[discover]' in the orgsim folder" in err
    assert "Traceback" not in err
    with pytest.raises(MissingExtraError, match=r"pip install -e '\.\[discover\]'"):
        discover(corner, "poster < 0.2")


def test_the_command_line_starts_without_the_workbench() -> None:
    code = (
        "import sys\n"
        "import simulator.cli\n"
        "heavy = ('ema_workbench', 'sklearn', 'statsmodels', 'seaborn', 'simulator.discovery')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    assert printed_in_a_fresh_process(code) == ["[]"]
