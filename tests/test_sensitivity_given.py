"""Given-data sensitivity (RBD-FAST) of grid, points and Latin hypercube designs: known
answers on outcomes built from the design points, through the path the sweeps use (a results
folder written as a sweep writes it, read back by :func:`simulator.results.load`), the
error for a design of too few points, and the report of a small real sweep.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from builders import folder_of_outcomes

from simulator.cli import main, orgsim
from simulator.cli_sensitivity import sensitivity as sensitivity_command
from simulator.report import write_report
from simulator.results import load
from simulator.scenario import Plan, parse_scenario
from simulator.sensitivity import SensitivityError, sensitivity
from simulator.sensitivity_given import MIN_POINTS, design_matrix, dummy_floor, given_rows
from simulator.sweep import sweep

AXES = ("culture.openness", "people.threshold_mean", "delegation.endorsement")
NOISE_SD = 0.5  # of one run's outcome, around its point's expected value
REPS = 4


def lhs_plan(samples: int, replications: int = REPS, **design: Any) -> Plan:
    data = {
        "scenario": {"name": "given", "seed": 20261207, "replications": replications, "steps": 1},
        "arms": {
            "model": {"leaders.strategy": "model"},
            "delegate": {"leaders.strategy": "delegate"},
        },
        "axes": [{"param": p} for p in AXES],  # each on its own range, [0, 1]
        "design": {"kind": "lhs", "samples": samples, **design},
    }
    return parse_scenario(data, source="given")[1]


def noise(point: int, replication: int, arm: str) -> float:
    """A run's own noise: the same in both arms of a replication pair (common random
    numbers), plus a smaller part of its own."""
    shared = np.random.default_rng([point, replication]).normal(0.0, NOISE_SD)
    own = np.random.default_rng([point, replication, len(arm)]).normal(0.0, NOISE_SD / 2)
    return float(shared + own)


def outcome(p: Plan) -> Any:
    """model: 3 u1 + 1.5 u2 (u3 inert); delegate: model + 2 u3 + u1, so that the gap
    delegate - model is 2 u3 + u1 (u2 inert), plus noise."""

    def at(s: Any) -> dict[str, float]:
        u = [float(p.points[s.point][name]) for name in AXES]
        y = 3 * u[0] + 1.5 * u[1]
        if s.arm == "delegate":
            y += 2 * u[2] + u[0]
        return {"poster": y + noise(s.point, s.replication, s.arm)}

    return at


def test_given_data_indices_rank_a_dominant_a_weak_and_an_inert_parameter(tmp_path: Path) -> None:
    p = lhs_plan(160)
    out = folder_of_outcomes(p, tmp_path / "lhs", outcome(p))
    table = sensitivity(load(out), metrics=["poster"])
    assert set(table["method"]) == {"rbd_fast"}
    assert set(table["arm"]) == {"model", "delegate", "delegate - model"}
    # S1 = a_i^2 / 12 over the variance of the point means: the slopes' share plus the noise
    # of a mean of 4 runs (variance (0.5^2 + 0.25^2) / 4 in one arm, 0.25^2 * 2 / 4 in a gap)
    for arm, slopes, noise_var in (
        ("model", (3.0, 1.5, 0.0), (0.25 + 0.0625) / REPS),
        ("delegate - model", (1.0, 0.0, 2.0), 2 * 0.0625 / REPS),
    ):
        rows = table[table["arm"] == arm].set_index("parameter").loc[list(AXES)]
        parts = np.array(slopes) ** 2 / 12
        want = parts / (parts.sum() + noise_var)
        # RBD-FAST at 160 points: a spread of about 0.05, biased low by a few hundredths
        np.testing.assert_allclose(rows["S1"], want, atol=0.1)
        assert abs(rows["noise"].iloc[0] - noise_var / (parts.sum() + noise_var)) < 0.1
        order = np.argsort(-np.array(slopes))
        assert list(rows.index[np.argsort(-rows["S1"].to_numpy())]) == [AXES[i] for i in order]
        inert = AXES[int(order[-1])]
        assert rows["within_noise"].to_dict() == {a: a == inert for a in AXES}, rows
        # the floor: what a parameter with no effect reaches, above the inert one's S1
        assert 0 < rows.loc[inert, "S1_noise"] < 0.15
        assert rows.loc[inert, "S1"] <= rows.loc[inert, "S1_noise"]


def test_an_outcome_of_pure_noise_is_within_noise_everywhere(tmp_path: Path) -> None:
    p = lhs_plan(40)
    out = folder_of_outcomes(
        p, tmp_path / "noise", lambda s: {"poster": noise(s.point, s.replication, s.arm)}
    )
    table = sensitivity(load(out), metrics=["poster"], differences=False)
    assert len(table) == 2 * len(AXES)
    assert table["within_noise"].all()
    # all of the point means' variance is noise (1 within sampling error of the variance)
    assert (table["noise"] > 0.6).all()


def test_a_grid_is_analysed_as_given_data_and_ties_do_not_lend_an_effect(tmp_path: Path) -> None:
    """A 2 x 32 grid: a policy that does nothing, then openness, which drives the outcome.
    Ordered by policy, the 32 points of each policy run through openness in order, a
    sequence RBD-FAST would read as the policy's effect (S1 = 0.13, above a floor of 0.09)
    unless the points sharing a value are taken in random order, as the dummies' are."""
    data = {
        "scenario": {"name": "grid", "seed": 3, "replications": 2, "steps": 1},
        "axes": [
            {"param": "culture.policy", "values": ["restrictive", "open"]},
            {"param": AXES[0], "bounds": [0.0, 1.0], "steps": 32},
        ],
        "design": {"kind": "grid"},
    }
    p = parse_scenario(data, source="grid")[1]
    assert len(p.points) == 64

    def at(s: Any) -> dict[str, float]:
        x = p.points[s.point][AXES[0]]
        return {"poster": 5 * x + 0.05 * noise(s.point, s.replication, s.arm)}

    table = sensitivity(load(folder_of_outcomes(p, tmp_path / "grid", at)), metrics=["poster"])
    rows = table.set_index("parameter")
    assert rows.loc[AXES[0], "S1"] > 0.9 and not rows.loc[AXES[0], "within_noise"]
    assert rows.loc["culture.policy", "within_noise"], rows


@pytest.fixture
def command(monkeypatch: pytest.MonkeyPatch) -> None:
    """``orgsim sensitivity`` on the command group (until simulator.cli registers it)."""
    monkeypatch.setitem(orgsim.commands, "sensitivity", sensitivity_command)


def test_too_few_points_is_an_error_that_names_what_is_supported(
    tmp_path: Path, command: None
) -> None:
    p = lhs_plan(MIN_POINTS - 1, replications=2)
    out = folder_of_outcomes(p, tmp_path / "few", lambda s: {"poster": float(s.point)})
    with pytest.raises(
        SensitivityError, match=r"'lhs' with 15 distinct design points: too few"
    ) as err:
        sensitivity(load(out))
    assert "sobol or morris design (any size)" in str(err.value)
    said = str(err.value)
    assert f"grid, points, lhs or montecarlo design of {MIN_POINTS} distinct points" in said
    # the command line says it in one line, with a non-zero exit
    assert main(["sensitivity", str(out)]) == 2
    # ... and the report of such a folder has no sensitivity section, but a note (an lhs)
    page = write_report(out).read_text(encoding="utf-8")
    assert "<h2>Sensitivity</h2>" not in page
    assert "No sensitivity indices: design.kind = " in page and "too few" in page


def test_the_command_line_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: None
) -> None:
    p = lhs_plan(4, replications=1)
    out = folder_of_outcomes(p, tmp_path / "four", lambda s: {"poster": float(s.point)})
    assert main(["sensitivity", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"orgsim: error: {out}: design.kind = 'lhs' with 4 distinct design")


def test_the_table_is_written_where_asked_even_into_a_new_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--out in a folder not made yet printed a traceback (OSError from pandas)."""
    p = lhs_plan(MIN_POINTS, replications=1)
    out = folder_of_outcomes(p, tmp_path / "res", lambda s: {"poster": float(s.point % 3)})
    target = tmp_path / "new" / "dir" / "indices.csv"
    assert main(["sensitivity", str(out), "--metric", "poster", "--out", str(target)]) == 0
    assert f"written to {target}" in capsys.readouterr().out
    assert set(pd.read_csv(target)["parameter"]) == set(AXES)


def test_a_method_the_design_cannot_give_is_refused(tmp_path: Path) -> None:
    p = lhs_plan(20, replications=1)
    out = folder_of_outcomes(p, tmp_path / "m", lambda s: {"poster": float(s.point)})
    with pytest.raises(SensitivityError, match=r"method = 'sobol' needs a sobol design"):
        sensitivity(load(out), method="sobol")


def test_the_dummy_floor_is_a_5_percent_test_over_the_parameters_of_an_outcome() -> None:
    """Over many designs of one parameter with most of the variance and four with no effect,
    the dominant one always clears the floor, and ANY of the four does in about 5 % of the
    designs (a family-wise 5 % test over the parameters of an outcome; with one more, the
    dominant, the max over five dummies makes it about 4 %). A floor of each dummy's own 95th
    percentile, a 5 % test per row, let one of the four through in 35 of these 150 designs
    (23 %, as 1 - 0.95^4 = 19 % expects)."""
    cleared = []
    for seed in range(150):
        rng = np.random.default_rng(seed)
        u = rng.random((32, 5))
        y = 2 * u[:, 0] + rng.normal(0, 0.3, 32)
        rows = given_rows(["a", "b", "c", "d", "e"], u, y, 100, seed=seed)
        assert len({r["S1_noise"] for r in rows}) == 1  # one floor for the outcome
        assert rows[0]["S1"] > rows[0]["S1_noise"]
        cleared.append(any(r["S1"] > r["S1_noise"] for r in rows[1:]))
    # 6 here (4 %); 13 or more has a chance under 1 % at 4 %, and 0 one of 0.2 %
    assert 0 < sum(cleared) <= 12


def test_the_floor_takes_the_largest_of_as_many_dummies_as_parameters() -> None:
    """The floor is the 95th percentile of the largest S1 of D dummies, each the S1 that
    SALib computes for a random ordering of the outcomes: D = 1 is the dummies' own 95th
    percentile, and it rises with D."""
    from SALib.analyze import rbd_fast

    y = np.random.default_rng(3).normal(size=40) ** 3
    rng = np.random.default_rng(5)
    one = [
        rbd_fast.unskew_S1(rbd_fast.compute_first_order(y[rng.permutation(40)], 2), 2, 40)
        for _ in range(200)
    ]
    assert dummy_floor(y, 1, 200, np.random.default_rng(5)) == pytest.approx(
        np.quantile(one, 0.95), abs=1e-12
    )
    floors = [dummy_floor(y, d, 200, np.random.default_rng(5)) for d in (1, 2, 4, 8)]
    assert floors == sorted(floors) and floors[0] < floors[-1]


def test_the_report_of_a_small_lhs_sweep_has_a_sensitivity_section(tmp_path: Path) -> None:
    """A real sweep: 20 Latin hypercube points over two parameters, 2 arms, 2 replications,
    100 people for 20 weeks."""
    data = {
        "scenario": {"name": "small_lhs", "seed": 7, "replications": 2, "steps": 20},
        "params": {"org.size": 100},
        "arms": {
            "model": {"leaders.strategy": "model"},
            "delegate": {"leaders.strategy": "delegate"},
        },
        "axes": [
            {"param": "culture.openness", "bounds": [0.1, 0.9]},
            {"param": "delegation.endorsement", "bounds": [0.0, 1.0]},
        ],
        "design": {"kind": "lhs", "samples": 20},
    }
    p = parse_scenario(data, source="small_lhs")[1]
    out = tmp_path / "small"
    summary = sweep(p, out, workers=2)
    assert summary.failed == 0
    table = sensitivity(load(out))
    assert set(table["method"]) == {"rbd_fast"} and "delegate - model" in set(table["arm"])
    report = write_report(out)
    page = report.read_text(encoding="utf-8")
    for part in ("<h2>Sensitivity</h2>", "RBD-FAST", "within noise", "delegate - model"):
        assert part in page
    names = {f.name for f in report.parent.iterdir()}
    assert {"sensitivity.csv", "sensitivity.png", "sensitivity_difference.png"} <= names


def test_a_column_that_is_no_numeric_outcome_is_refused(tmp_path: Path) -> None:
    """--metric status raised "could not convert string to float: 'ok'" (a traceback), and
    --metric seed was analysed as an outcome the same at every point."""
    p = lhs_plan(MIN_POINTS, replications=1)
    out = folder_of_outcomes(p, tmp_path / "res", lambda s: {"poster": float(s.point % 3)})
    for column in ("status", "seed", "arm"):
        with pytest.raises(SensitivityError, match=rf"metric = '{column}': not a numeric"):
            sensitivity(load(out), metrics=[column])


def test_a_category_is_coded_in_the_listed_order_by_value_not_by_its_text() -> None:
    """The listed values were compared as text: a point's None ("none" in a TOML file, None
    from a JSON or Python scenario) was no listed value and was coded last, after 20."""
    listed = {"scenario": {"axes": [{"param": "leaders.stop", "values": ["none", 10, 20]}]}}
    points = [{"leaders.stop": v} for v in (20, None, 10, "none", "20")]
    manifest = {"axes": ["leaders.stop"], **listed, "resolved": {"points": points}}
    names, X, _ = design_matrix(manifest)
    assert names == ["leaders.stop"] and X[:, 0].tolist() == [2, 0, 1, 0, 2]
    # a scenario's own None, through the planner: listed first, coded 0
    data = {
        "scenario": {"name": "stop", "seed": 1, "replications": 1, "steps": 1},
        "axes": [{"param": "leaders.stop", "values": [None, 10, 20]}],
    }
    plan = parse_scenario(data, source="stop")[1]
    manifest = {
        "axes": plan.axis_names,
        "scenario": plan.scenario.model_dump(mode="json"),
        "resolved": plan.resolved(),
    }
    values = [p["leaders.stop"] for p in plan.points]
    assert design_matrix(manifest)[1][:, 0].tolist() == [[None, 10, 20].index(v) for v in values]
