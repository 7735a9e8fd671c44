"""Sensitivity indices reproduce known analytic cases, through the path the sweeps use.

The outcomes here are computed from known functions of the design points that the scenario
planner drew (the SALib sample in the scenario's own stream), written to a results folder by
:class:`simulator.results.ResultsFolder` exactly as a sweep writes its runs, read back by
:func:`simulator.results.load` and analysed by :func:`simulator.sensitivity.sensitivity`: the
same code the simulator's outcomes go through. Then the same on a shipped scenario's runs.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from builders import folder_of_outcomes

from simulator.report import write_report
from simulator.results import load
from simulator.scenario import Plan, axis_bounds, load_scenario, parse_scenario, plan, reduced
from simulator.sensitivity import sensitivity
from simulator.sweep import sweep

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
# Three parameters whose own range is [0, 1]: the axes give no bounds, so the parameters'
# definitions supply them (mapped to [-pi, pi] for Ishigami below).
AXES = ("culture.openness", "people.threshold_mean", "delegation.endorsement")

# Ishigami & Homma (1990), a = 7, b = 0.1, inputs uniform on [-pi, pi]: the analytic
# variance decomposition (e.g. Saltelli et al. 2008, Global Sensitivity Analysis, 4.9).
A, B = 7.0, 0.1
_V1 = 0.5 * (1 + B * math.pi**4 / 5) ** 2
_V2 = A**2 / 8
_V13 = B**2 * math.pi**8 * (1 / 18 - 1 / 50)
_V = _V1 + _V2 + _V13
ISHIGAMI_S1 = (_V1 / _V, _V2 / _V, 0.0)  # 0.3139, 0.4424, 0
ISHIGAMI_ST = ((_V1 + _V13) / _V, _V2 / _V, _V13 / _V)  # 0.5576, 0.4424, 0.2437
LINEAR = (1.0, -2.0, 3.0)  # y = sum a_i u_i, u_i uniform: S1 = ST = a_i^2 / sum a^2
Z999_OVER_Z95 = 3.2905 / 1.9600  # SALib's *_conf are 95 % half-widths; allow a 99.9 % one


def known_plan(kind: str, samples: int, **design: Any) -> Plan:
    data = {
        "scenario": {"name": f"known_{kind}", "seed": 20261122, "replications": 1, "steps": 1},
        "axes": [{"param": p} for p in AXES],
        "design": {"kind": kind, "samples": samples, **design},
    }
    return parse_scenario(data, source="known")[1]


def unit_values(p: Plan) -> np.ndarray:
    """The design points in the unit cube (SALib's sample), from the values the plan holds."""
    spans = [axis_bounds(a) for a in p.scenario.axes]
    assert spans == [(0.0, 1.0)] * 3  # the parameters' own ranges
    return np.array([[pt[name] for name in AXES] for pt in p.points], dtype=float)


def ishigami(u: np.ndarray) -> np.ndarray:
    x = -math.pi + 2 * math.pi * u
    return np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])


def write_known(p: Plan, out: Path, outcomes: dict[str, np.ndarray]) -> Path:
    """A results folder holding one finished 'run' per design point with these outcomes."""
    return folder_of_outcomes(
        p, out, lambda s: {name: float(values[s.point]) for name, values in outcomes.items()}
    )


def test_sobol_indices_of_the_ishigami_function_and_a_linear_model(tmp_path: Path) -> None:
    p = known_plan("sobol", 2048)  # N (D + 2) = 10,240 points
    u = unit_values(p)
    linear = u @ np.array(LINEAR)
    out = write_known(p, tmp_path / "sobol", {"ishigami": ishigami(u), "linear": linear})
    table = sensitivity(load(out), metrics=["ishigami", "linear"], resamples=500)
    assert table is not None and set(table["arm"]) == {"base"}
    for metric, s1, st in (
        ("ishigami", ISHIGAMI_S1, ISHIGAMI_ST),
        ("linear", [a**2 / sum(b**2 for b in LINEAR) for a in LINEAR], None),
    ):
        rows = table[table["metric"] == metric].set_index("parameter").loc[list(AXES)]
        st = st or s1
        for name, want_s1, want_st in zip(AXES, s1, st, strict=True):
            row = rows.loc[name]
            # the CIs are tight enough to mean something, and hold the analytic value
            assert row["S1_conf"] < 0.08 and row["ST_conf"] < 0.08, row
            assert abs(row["S1"] - want_s1) <= Z999_OVER_Z95 * row["S1_conf"], (name, row)
            assert abs(row["ST"] - want_st) <= Z999_OVER_Z95 * row["ST_conf"], (name, row)
    ishi = table[table["metric"] == "ishigami"].set_index("parameter")
    assert ishi["ST"].idxmax() == AXES[0] and ishi.loc[AXES[2], "S1"] < 0.05
    # given-data first-order indices (RBD-FAST) of the same 10,240 points, a cross-check that
    # reads them as a random sample: the analytic S1 (an estimate's spread: about 0.007)
    given = sensitivity(load(out), metrics=["ishigami", "linear"], method="rbd_fast")
    for metric, s1 in (
        ("ishigami", ISHIGAMI_S1),
        ("linear", [a**2 / sum(b**2 for b in LINEAR) for a in LINEAR]),
    ):
        rows = given[given["metric"] == metric].set_index("parameter").loc[list(AXES)]
        np.testing.assert_allclose(rows["S1"], s1, atol=0.03)


def test_morris_effects_of_a_linear_model_are_its_slopes(tmp_path: Path) -> None:
    p = known_plan("morris", 20, levels=4)
    u = unit_values(p)
    out = write_known(p, tmp_path / "morris", {"linear": u @ np.array(LINEAR)})
    table = sensitivity(load(out), metrics=["linear"])
    assert table is not None
    rows = table.set_index("parameter").loc[list(AXES)]
    # an elementary effect is the change per step as a fraction of the range: the slope
    np.testing.assert_allclose(rows["mu"], LINEAR, atol=1e-9)
    np.testing.assert_allclose(rows["mu_star"], np.abs(LINEAR), atol=1e-9)
    np.testing.assert_allclose(rows["sigma"], 0.0, atol=1e-9)


def test_sensitivity_of_the_shipped_sobol_scenario_and_its_report(tmp_path: Path) -> None:
    """scenarios/sensitivity.toml, made small (150 people, 26 weeks, N = 8, 2 replications):
    indices for each arm and for the paired difference, as tables and plots in the report."""
    scenario, _ = load_scenario(SCENARIOS / "sensitivity.toml")
    small = reduced(scenario)
    small = small.model_copy(
        update={
            "scenario": small.scenario.model_copy(update={"steps": 26}),
            "design": small.design.model_copy(update={"samples": 8}),
        }
    )
    p = plan(small)
    assert len(p.points) == 8 * (4 + 2)
    out = tmp_path / "sens"
    summary = sweep(p, out, workers=2)
    assert summary.failed == 0 and summary.done == p.run_count
    table = sensitivity(load(out))
    assert table is not None and not table.empty
    poster = table[table["metric"] == "poster"]
    assert set(poster["arm"]) == {"model", "delegate", "delegate - model"}
    for _, rows in poster.groupby("arm"):
        assert sorted(rows["parameter"]) == sorted(a.param for a in small.axes)
        values = rows[["S1", "S1_conf", "ST", "ST_conf"]].to_numpy(dtype=float)
        assert np.isfinite(values).all() and (rows["ST_conf"] > 0).all()
    report = write_report(out)
    page = report.read_text(encoding="utf-8")
    for part in ("<h2>Sensitivity</h2>", "Effect sizes across design points", "delegate - model"):
        assert part in page
    names = {f.name for f in report.parent.iterdir()}
    assert {"sensitivity.csv", "sensitivity.png", "sensitivity_difference.png"} <= names
    assert "forest.png" in names
    written = pd.read_csv(report.parent / "sensitivity.csv")
    assert len(written) == len(table)


@pytest.mark.parametrize("bad", [{"param": "people.risk_aversion_mean"}, {"param": "org.size"}])
def test_an_axis_without_bounds_needs_a_closed_range(bad: dict[str, Any]) -> None:
    from simulator.scenario import ScenarioError

    data = {
        "scenario": {"name": "x", "seed": 1, "replications": 1, "steps": 2},
        "axes": [bad],
        "design": {"kind": "sobol", "samples": 2},
    }
    if bad["param"] == "org.size":  # closed: [2, 5,000,000] is the parameter's own range
        p = parse_scenario(data)[1]
        assert {pt["org.size"] for pt in p.points} <= set(range(2, 5_000_001))
        return
    with pytest.raises(ScenarioError, match=r"open or unbounded; give bounds = \[low, high\]"):
        parse_scenario(data)
