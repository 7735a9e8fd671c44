"""Replication noise in sensitivity indices: measured, and told apart from parameter effects.

Each design point of a sweep has its own seeds, so the mean of its replications carries
noise that is independent from point to point. SALib cannot tell it from an effect: a
parameter with no effect at all gets a Sobol ST near the noise's share of the variance of
the point means (and an interval that excludes 0), and a Morris μ* near the mean absolute
difference of two noisy means. The cases here are built as in test_sensitivity_known.py:
outcomes are known functions of the design points the scenario planner drew, plus noise of
a known variance drawn per replication, written to a results folder as a sweep writes its
runs and analysed by :func:`simulator.sensitivity.sensitivity`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from builders import folder_of_outcomes

from simulator.report import analyse, page
from simulator.results import load
from simulator.scenario import Plan, parse_scenario
from simulator.sensitivity import sensitivity

# Three parameters whose own range is [0, 1]: the design's unit cube is their values.
AXES = ("culture.openness", "people.threshold_mean", "delegation.endorsement")
STRONG, NONE_1, NONE_2 = AXES
ARMS = {"a": {"leaders": {"strategy": "model"}}, "b": {"leaders": {"strategy": "delegate"}}}
Z999_OVER_Z95 = 3.2905 / 1.9600
Outcome = Callable[[np.ndarray, str, int, int], float]  # (u, arm, point, replication) -> y


def noise_plan(kind: str, samples: int, replications: int, **extra: Any) -> Plan:
    header = {"name": f"noise_{kind}", "seed": 20261207, "replications": replications}
    data: dict[str, Any] = {
        "scenario": {**header, "steps": 1, **extra.pop("header", {})},
        "axes": [{"param": p} for p in AXES],
        "design": {"kind": kind, "samples": samples, **extra.pop("design", {})},
        **extra,
    }
    return parse_scenario(data, source="noise")[1]


def write_runs(p: Plan, out: Path, outcome: Outcome, metric: str = "y") -> Path:
    """A results folder with one finished 'run' per planned run, its outcome ``metric``."""
    u = np.array([[pt[name] for name in AXES] for pt in p.points], dtype=float)
    return folder_of_outcomes(
        p, out, lambda s: {metric: outcome(u[s.point], s.arm, s.point, s.replication)}
    )


def draws(p: Plan, seed: int) -> np.ndarray:
    """Standard normal draws, one per (point, replication, source)."""
    return np.random.default_rng(seed).standard_normal((len(p.points), p.replications, 3))


def rows(table: pd.DataFrame, arm: str = "base", metric: str = "y") -> pd.DataFrame:
    return table[(table["arm"] == arm) & (table["metric"] == metric)].set_index("parameter")


# -- Sobol ----------------------------------------------------------------------------------
def test_a_parameter_with_no_effect_is_within_noise_and_one_with_an_effect_is_not(
    tmp_path: Path,
) -> None:
    """y = u_1 + noise: the other two parameters do nothing. Their ST is the noise share
    (its interval excluding 0, as the researcher saw), so they are marked within noise;
    the noise share is close to the one computed by hand."""
    reps, sd = 4, 0.5
    p = noise_plan("sobol", 64, reps)  # N (D + 2) = 320 points
    e = draws(p, 1)
    out = write_runs(p, tmp_path / "res", lambda u, arm, pt, r: u[0] + sd * e[pt, r, 0])
    table = sensitivity(load(out), metrics=["y"], resamples=500)
    assert table is not None
    got = rows(table)
    # by hand: Var(u) = 1/12, the noise variance of a mean of reps draws sd^2 / reps
    share = (sd**2 / reps) / (1 / 12 + sd**2 / reps)  # 0.43
    assert got["noise"].nunique() == 1 and abs(got["noise"].iloc[0] - share) < 0.2 * share
    eta = float(got["noise"].iloc[0])
    for name in (NONE_1, NONE_2):
        row = got.loc[name]
        assert row["ST"] - row["ST_conf"] > 0  # read against 0, noise looks like an effect
        # it is the noise share (within a 99.9 % interval: SALib's are 95 % half-widths)
        assert abs(row["ST"] - eta) <= Z999_OVER_Z95 * row["ST_conf"], row
        assert row["within_noise"]
    strong = got.loc[STRONG]
    assert strong["ST"] - strong["ST_conf"] > eta and not bool(strong["within_noise"])
    assert not any("noise is" in n for n in table.attrs["notes"])  # under half the variance
    # the figure: the S1 bars within noise hatched, the effect solid; the noise line drawn
    from simulator.sweep_plots import sensitivity_bars

    ax = sensitivity_bars(table).axes[0]
    s1 = [bar for bar in ax.patches if bar.get_alpha() is None]  # (ST bars are light)
    assert [bool(bar.get_hatch()) for bar in s1] == [False, True, True]  # in AXES order
    st = [bar for bar in ax.patches if bar.get_alpha() is not None]  # the verdict's own
    assert [bool(bar.get_hatch()) for bar in st] == [False, True, True]
    (floor,) = [c for c in ax.collections if c.get_gid() == "noise"]
    assert np.allclose([seg[0][0] for seg in floor.get_segments()], eta)


def test_pure_noise_has_a_noise_share_near_one_and_nothing_stands_out(tmp_path: Path) -> None:
    p = noise_plan("sobol", 32, 5)
    e = draws(p, 2)
    out = write_runs(p, tmp_path / "res", lambda u, arm, pt, r: 0.3 + 0.1 * e[pt, r, 0])
    table = sensitivity(load(out), metrics=["y"])
    assert table is not None
    got = rows(table)
    assert (got["noise"] > 0.85).all() and (got["noise"] <= 1).all()
    assert got["within_noise"].astype(bool).all()
    assert any("base/y: replication noise is" in n for n in table.attrs["notes"])


def test_without_noise_the_share_is_zero_and_with_one_replication_it_is_not_measured(
    tmp_path: Path,
) -> None:
    p = noise_plan("sobol", 16, 2)
    out = write_runs(p, tmp_path / "exact", lambda u, arm, pt, r: u[0] + 0.2 * u[1])
    exact = sensitivity(load(out), metrics=["y"])
    assert exact is not None
    got = rows(exact)
    assert (got["noise"] == 0).all()
    assert not got.loc[STRONG, "within_noise"] and not got.loc[NONE_1, "within_noise"]
    assert got.loc[NONE_2, "ST"] == 0 and got.loc[NONE_2, "within_noise"]  # no effect at all
    one = noise_plan("sobol", 16, 1)
    out = write_runs(one, tmp_path / "one", lambda u, arm, pt, r: u[0])
    table = sensitivity(load(out), metrics=["y"])
    assert table is not None
    assert table["noise"].isna().all() and table["within_noise"].isna().all()
    assert any("not measured for base/y" in n for n in table.attrs["notes"])
    # the columns can be left out; the notes come always
    plain = sensitivity(load(out), metrics=["y"], noise=False)
    assert plain is not None and "noise" not in plain and "within_noise" not in plain
    assert any("not measured" in n for n in plain.attrs["notes"])


def test_the_noise_of_a_paired_difference_is_that_of_the_differences(tmp_path: Path) -> None:
    """Arms on common random numbers: a shared noise term cancels in the difference, whose
    noise share is its own. u_1 drives both arms alike, so it is within noise for the
    difference; u_2 drives only arm b, so it drives the gap."""
    reps, shared, own = 4, 0.6, 0.1
    p = noise_plan("sobol", 64, reps, arms=ARMS)
    e = draws(p, 3)

    def y(u: np.ndarray, arm: str, pt: int, r: int) -> float:
        value = u[0] + shared * e[pt, r, 0]
        return value + (0.5 * u[1] + own * e[pt, r, 1] if arm == "b" else 0.0)

    table = sensitivity(load(write_runs(p, tmp_path / "res", y)), metrics=["y"])
    assert table is not None
    gap, a = rows(table, "b - a"), rows(table, "a")
    by_hand = (own**2 / reps) / (0.25 / 12 + own**2 / reps)  # 0.107
    assert abs(gap["noise"].iloc[0] - by_hand) < 0.2 * by_hand
    assert a["noise"].iloc[0] > 0.5  # the shared noise, (0.36 / 4) / (1 / 12 + 0.09)
    assert gap.loc[STRONG, "within_noise"] and not gap.loc[NONE_1, "within_noise"]
    assert not a.loc[STRONG, "within_noise"]


def test_organisations_shared_by_replications_count_as_noise(tmp_path: Path) -> None:
    """orgs = 2 with 4 replications: replications r and r + 2 share an organisation, whose
    effect is noise between points that the spread within one organisation misses."""
    reps, org_sd, sd = 4, 0.4, 0.1
    p = noise_plan("sobol", 64, reps, header={"orgs": 2})
    e = draws(p, 4)
    out = write_runs(
        p,
        tmp_path / "res",
        lambda u, arm, pt, r: u[0] + org_sd * e[pt, r % 2, 2] + sd * e[pt, r, 0],
    )
    shared = sensitivity(load(out), metrics=["y"])
    assert shared is not None
    got = rows(shared)
    v = org_sd**2 / 2 + sd**2 / reps  # 2 organisations, 4 replications
    by_hand = v / (1 / 12 + v)  # 0.51
    assert abs(got["noise"].iloc[0] - by_hand) < 0.15 * by_hand
    one = noise_plan("sobol", 16, 2, header={"orgs": 1})
    table = sensitivity(
        load(write_runs(one, tmp_path / "one", lambda u, arm, pt, r: u[0])), ["y"], noise=True
    )
    assert table is not None and table["noise"].isna().all()
    assert any("orgs = 1" in n for n in table.attrs["notes"])


# -- Morris ---------------------------------------------------------------------------------
def test_morris_effects_of_noise_alone_are_within_the_noise_floor(tmp_path: Path) -> None:
    """y = u_1 + noise: an elementary effect of a parameter that does nothing is the
    difference of two noisy means over the step, so its μ* is about 2 sd' / (delta sqrt(pi))
    (sd' the noise of a mean), at most mu_star_noise = sqrt(2) sd' / delta."""
    reps, sd = 5, 0.3
    p = noise_plan("morris", 40, reps, design={"levels": 4})
    e = draws(p, 5)
    out = write_runs(p, tmp_path / "res", lambda u, arm, pt, r: u[0] + sd * e[pt, r, 0])
    table = sensitivity(load(out), metrics=["y"])
    assert table is not None
    got = rows(table)
    delta = 4 / (2 * (4 - 1))
    sd_mean = sd / math.sqrt(reps)
    floor = math.sqrt(2) * sd_mean / delta
    assert np.allclose(got["mu_star_noise"], floor, rtol=0.15)
    for name in (NONE_1, NONE_2):
        row = got.loc[name]
        assert row["mu_star"] - row["mu_star_conf"] > 0  # against 0 it would be an effect
        assert abs(row["mu_star"] - 2 * sd_mean / (delta * math.sqrt(math.pi))) < 0.3 * floor
        assert row["within_noise"]
    assert not got.loc[STRONG, "within_noise"] and got.loc[STRONG, "mu_star"] > 2 * floor


# -- the report -----------------------------------------------------------------------------
def test_the_report_says_how_much_is_noise_and_marks_what_is_within_it(tmp_path: Path) -> None:
    reps, sd = 4, 0.5
    p = noise_plan("sobol", 16, reps, arms=ARMS)
    e = draws(p, 6)

    def y(u: np.ndarray, arm: str, pt: int, r: int) -> float:
        return u[0] * (2.0 if arm == "b" else 1.0) + sd * e[pt, r, 0]

    results = load(write_runs(p, tmp_path / "res", y, metric="poster"))
    data = analyse(results)  # the report's analysis: its default outcomes, with the noise
    table = data.sensitivity
    assert table is not None and {"noise", "within_noise"} <= set(table.columns)
    text = page(data)
    assert "<h3>Replication noise</h3>" in text
    assert "the ST that replication noise alone gives a parameter with no effect" in text
    assert ">within noise</td>" in text
    within = table[table["within_noise"].astype(bool)]
    assert set(within["parameter"]) >= {NONE_1, NONE_2}
    for _, row in within.iterrows():  # each marked row is greyed in the table
        assert (
            f'<tr class="muted"><td>{row["arm"]}</td><td>poster</td><td>{row["parameter"]}' in text
        )
    table.to_csv(tmp_path / "sensitivity.csv", index=False)
    written = pd.read_csv(tmp_path / "sensitivity.csv")
    assert written["noise"].between(0, 1).all()
    assert set(written.loc[written["within_noise"], "parameter"]) >= {NONE_1, NONE_2}


def test_a_milestone_never_reached_in_both_arms_is_said_so_not_called_an_unfinished_design(
    tmp_path: Path,
) -> None:
    """At point 0, replication 0, neither arm reaches the milestone (NaN in both): the
    difference's run is then all NaN, which was dropped and read as a run not finished."""
    p = noise_plan("sobol", 8, 2, arms=ARMS)

    def t10(u: np.ndarray, arm: str, pt: int, r: int) -> float:
        return math.nan if (pt, r) == (0, 0) else 10 + 5 * u[0] + (arm == "b")

    table = sensitivity(load(write_runs(p, tmp_path / "res", t10, "t10")), metrics=["t10"])
    notes = table.attrs["notes"]
    for label in ("a", "b", "b - a"):
        assert f"{label}/t10 skipped: at 1 of 40 points some run has no value" in " ".join(notes)
    assert not any("no finished run" in note for note in notes), notes


def test_a_misspelt_metric_is_named_with_the_outcomes_it_can_take(tmp_path: Path) -> None:
    import pytest

    from simulator.sensitivity import SensitivityError

    p = noise_plan("sobol", 8, 2)
    out = write_runs(p, tmp_path / "res", lambda u, arm, pt, r: u[0], "poster")
    said = r"metric = 'posters': not an outcome; did you mean 'poster'\? \(the outcomes it can"
    with pytest.raises(SensitivityError, match=said + r" take: poster\)$"):
        sensitivity(load(out), metrics=["posters"])
