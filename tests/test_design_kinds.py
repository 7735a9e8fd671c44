"""Latin hypercubes over listed values and Monte Carlo designs (simulator.design): how often
each listed value is drawn, reproducibility from the seed, Latin hypercubes over bounds
unchanged, Monte Carlo draws within bounds and from the values, the errors and notes that
name them, and given-data sensitivity of a category drawn by a Latin hypercube.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from builders import folder_of_outcomes

from simulator.cli import main
from simulator.design import DESIGN_KEYS, DESIGNS, design_size, pick_values
from simulator.results import load
from simulator.scenario import Plan, ScenarioError, design_notes, parse_scenario
from simulator.sensitivity import sensitivity
from simulator.sensitivity_given import design_matrix

POLICIES = ["open", "neutral", "restrictive"]


def plan_of(kind: str, axes: list[Any], samples: int, seed: int = 7, **design: Any) -> Plan:
    data = {
        "scenario": {"name": "kinds", "seed": seed, "replications": 1, "steps": 2},
        "axes": axes,
        "design": {"kind": kind, "samples": samples, **design},
    }
    return parse_scenario(data, source="kinds.toml")[1]


def column(plan: Plan, name: str) -> list[Any]:
    return [point[name] for point in plan.points]


# -- a Latin hypercube over listed values ------------------------------------------------------


@pytest.mark.parametrize(("n", "k"), [(10, 3), (12, 3), (5, 3), (7, 2), (3, 4), (100, 7)])
def test_pick_values_stratified_draws_each_value_n_over_k_times(n: int, k: int) -> None:
    column_ = np.random.default_rng(n * k).random(n)
    values = [f"v{j}" for j in range(k)]
    counts = Counter(pick_values(values, column_, stratified=True))
    assert sum(counts.values()) == n
    assert {counts[v] for v in values} <= {n // k, n // k + 1}
    # by rank: the point of rank r takes value floor(r k / n)
    ranks = np.argsort(np.argsort(column_))
    assert pick_values(values, column_, stratified=True) == [values[r * k // n] for r in ranks]


def test_lhs_over_a_category_and_a_true_false_draws_them_as_evenly_as_the_size_allows() -> None:
    axes = [
        {"param": "culture.policy", "values": POLICIES},
        {"param": "culture.openness", "bounds": [0.2, 0.6]},
        {"param": "delegation.followed", "values": [True, False]},
    ]
    plan = plan_of("lhs", axes, samples=10)
    assert Counter(column(plan, "culture.policy")) == {"open": 4, "neutral": 3, "restrictive": 3}
    assert Counter(column(plan, "delegation.followed")) == {True: 5, False: 5}
    # the numeric axis keeps its Latin hypercube: one point in each tenth of its bounds
    openness = np.array(column(plan, "culture.openness"))
    assert sorted(((openness - 0.2) / 0.4 * 10).astype(int)) == list(range(10))
    # the values' positions vary with the seed, the counts do not
    other = plan_of("lhs", axes, samples=10, seed=8)
    assert column(other, "culture.policy") != column(plan, "culture.policy")
    assert Counter(column(other, "culture.policy")) == Counter(column(plan, "culture.policy"))


def test_lhs_over_values_is_the_same_design_from_the_same_seed() -> None:
    axes = [
        {"param": "culture.policy", "values": POLICIES},
        {"param": "org.span", "values": [3, 6]},
    ]
    first, again = (plan_of("lhs", axes, samples=9, seed=3) for _ in range(2))
    assert first.points == again.points
    assert first.digest() == again.digest()
    assert plan_of("lhs", axes, samples=9, seed=4).points != first.points


def test_lhs_over_bounds_gives_the_points_it_gave_before_values_were_allowed() -> None:
    """Drawn with the code before categorical axes (bit for bit: the same floats)."""
    axes = [
        {"param": "culture.openness", "bounds": [0.2, 0.6]},
        {"param": "org.span", "bounds": [2, 8], "scale": "log"},
    ]
    assert plan_of("lhs", axes, samples=4).points == [
        {"culture.openness": 0.444049422517, "org.span": 5},
        {"culture.openness": 0.325415636592, "org.span": 2},
        {"culture.openness": 0.276053501292, "org.span": 4},
        {"culture.openness": 0.566846945997, "org.span": 6},
    ]


# -- Monte Carlo ------------------------------------------------------------------------------


def test_montecarlo_draws_within_bounds_and_from_values_uniformly() -> None:
    axes = [
        {"param": "culture.openness", "bounds": [0.2, 0.4]},
        {"param": "responses.criticism_rate", "bounds": [0.01, 0.1], "scale": "log"},
        {"param": "culture.policy", "values": POLICIES},
    ]
    plan = plan_of("montecarlo", axes, samples=3000)
    assert len(plan.points) == 3000 == design_size(plan.scenario)
    openness = np.array(column(plan, "culture.openness"))
    assert openness.min() >= 0.2 and openness.max() <= 0.4
    rate = np.log10(column(plan, "responses.criticism_rate"))
    assert rate.min() >= -2 and rate.max() <= -1
    # uniform on the log scale: about half the draws below 10^-1.5 (sd of the count: 27)
    assert abs(int((rate < -1.5).sum()) - 1500) < 110
    counts = Counter(column(plan, "culture.policy"))
    assert set(counts) == set(POLICIES)
    assert all(abs(c - 1000) < 110 for c in counts.values()), counts  # (sd 26)


def test_montecarlo_is_not_stratified_and_is_seeded_by_the_scenario() -> None:
    axes = [{"param": "culture.policy", "values": POLICIES}]
    # 10 draws from 3 values: not always 4, 3, 3 as a Latin hypercube would give
    spreads = {
        tuple(
            sorted(
                Counter(column(plan_of("montecarlo", axes, 10, seed=s), "culture.policy")).values()
            )
        )
        for s in range(20)
    }
    assert len(spreads) > 1
    again = [plan_of("montecarlo", axes, 10, seed=s).points for s in (5, 5, 6)]
    assert again[0] == again[1] != again[2]


def test_montecarlo_draws_from_the_design_stream_not_the_latin_hypercube() -> None:
    axes = [{"param": "culture.openness", "bounds": [0.0, 1.0]}]
    mc = column(plan_of("montecarlo", axes, 8), "culture.openness")
    lhs = column(plan_of("lhs", axes, 8), "culture.openness")
    assert mc != lhs
    assert sorted(int(u * 8) for u in lhs) == list(range(8))


def test_montecarlo_is_a_design_kind_that_takes_samples() -> None:
    assert DESIGNS.index("montecarlo") == DESIGNS.index("lhs") + 1
    assert "montecarlo" in DESIGN_KEYS["samples"]
    assert "montecarlo" not in DESIGN_KEYS["levels"]
    plan = plan_of("montecarlo", [{"param": "culture.openness"}], 5, levels=6)
    assert plan.run_count == 5
    assert design_notes(plan) == [
        "design.levels = 6 is for design.kind = 'morris'; with 'montecarlo' it is not used"
    ]


@pytest.mark.parametrize("kind", ["lhs", "montecarlo"])
def test_more_samples_than_combinations_of_listed_values_are_noted(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """16 draws over 3 x 2 listed values hold at most 6 distinct points: each runs again
    and again, which a grid of the 6 would not."""
    axes = [
        {"param": "culture.policy", "values": POLICIES},
        {"param": "culture.openness", "values": [0.2, 0.8]},
    ]
    plan = plan_of(kind, axes, 16)
    note = (
        "design.samples = 16 draws from only 6 distinct combinations of listed values: points"
        " repeat; a grid (design.kind = 'grid') runs each once"
    )
    assert design_notes(plan) == [note]
    assert len(plan.points) == 16
    assert len({(p["culture.policy"], p["culture.openness"]) for p in plan.points}) <= 6
    one = plan_of(kind, [{"param": "culture.policy", "values": ["open"]}], 2)
    assert design_notes(one) == [
        "design.samples = 2 draws from only 1 distinct combination of listed values: points"
        " repeat; a grid (design.kind = 'grid') runs each once"
    ]
    # as many draws as combinations, or an axis over bounds: no note
    assert design_notes(plan_of(kind, axes, 6)) == []
    bounded = [axes[0], {"param": "culture.openness", "bounds": [0.2, 0.8]}]
    assert design_notes(plan_of(kind, bounded, 16)) == []
    # orgsim validate says it
    path = tmp_path / "kinds.toml"
    path.write_text(
        '[scenario]\nname = "kinds"\nseed = 7\nreplications = 1\nsteps = 2\n\n'
        '[params]\norg.size = 30\n\n[[axes]]\nparam = "culture.policy"\n'
        'values = ["open", "neutral", "restrictive"]\n\n[[axes]]\nparam = "culture.openness"\n'
        f'values = [0.2, 0.8]\n\n[design]\nkind = "{kind}"\nsamples = 16\n',
        encoding="utf-8",
    )
    assert main(["validate", str(path), "--workers", "1"]) == 0
    assert note in capsys.readouterr().err.replace("\n", " ")


# -- errors ------------------------------------------------------------------------------------


def error_of(kind: str, axes: list[dict[str, Any]] | None) -> str:
    data: dict[str, Any] = {"scenario": {"name": "x", "seed": 1}, "design": {"kind": kind}}
    if axes is not None:
        data["axes"] = axes
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data, source="x.toml")
    return str(caught.value)


@pytest.mark.parametrize("kind", ["lhs", "montecarlo"])
def test_a_sampled_design_over_values_refuses_what_it_cannot_draw(kind: str) -> None:
    assert error_of(kind, None) == (
        f"x.toml: design.kind = '{kind}' needs at least one axis, with bounds or values"
    )
    assert error_of(kind, [{"param": "culture.policy"}]) == (
        "x.toml: axes[0] (culture.policy): not a number; sweep it with values = [...]"
    )
    assert error_of(kind, [{"param": "culture.policy", "values": ["open", "neutral", "open"]}]) == (
        "x.toml: axes[0] (culture.policy): the value 'open' is listed twice; list each value once"
    )
    assert error_of(kind, [{"param": "culture.policy", "values": ["shut"]}]).startswith(
        "x.toml: axes[0].values[0]: culture.policy = 'shut'"
    )


@pytest.mark.parametrize("kind", ["sobol", "morris"])
def test_sobol_and_morris_say_which_designs_draw_from_values(kind: str) -> None:
    category = error_of(kind, [{"param": "culture.policy", "values": ["open", "neutral"]}])
    assert category == (
        f"x.toml: axes[0] (culture.policy): design.kind = '{kind}' draws numbers within bounds,"
        " and this parameter is not a number: give each of its values an arm ([arms.<name>]),"
        " or sweep its values = [...] with design.kind = 'grid', 'lhs' or 'montecarlo'"
    )
    numbers = error_of(kind, [{"param": "culture.openness", "values": [0.2, 0.8]}])
    assert numbers.endswith("or keep the values with design.kind = 'lhs' or 'montecarlo'"), numbers


# -- what reads the designs ------------------------------------------------------------------


def test_design_matrix_codes_a_category_in_the_order_its_axis_lists_it() -> None:
    plan = plan_of("lhs", [{"param": "culture.policy", "values": POLICIES}], samples=6)
    manifest = {
        "axes": plan.axis_names,
        "scenario": plan.scenario.model_dump(mode="json"),
        "resolved": plan.resolved(),
    }
    names, X, notes = design_matrix(manifest)
    assert names == ["culture.policy"]
    assert X[:, 0].tolist() == [POLICIES.index(v) for v in column(plan, "culture.policy")]
    assert column(plan, "culture.policy")[0] != "open"  # (first appearance is not the order)
    assert notes == [
        "culture.policy: a category, coded 0, 1, ... in the order its axis lists its values;"
        " its S1 understates its effect (steps between levels are read with few harmonics)"
    ]


def test_given_data_sensitivity_finds_a_category_drawn_by_a_latin_hypercube(
    tmp_path: Path,
) -> None:
    """poster = 2 if the policy is open, + openness, + noise; delegation.followed is inert."""
    axes = [
        {"param": "culture.policy", "values": POLICIES},
        {"param": "culture.openness", "bounds": [0.0, 1.0]},
        {"param": "delegation.followed", "values": [True, False]},
    ]
    plan = plan_of("lhs", axes, samples=120)
    rng = np.random.default_rng(1)
    noise = rng.normal(0.0, 0.2, len(plan.points))

    def outcome(spec: Any) -> dict[str, float]:
        point = plan.points[spec.point]
        y = 2.0 * (point["culture.policy"] == "open") + point["culture.openness"]
        return {"poster": float(y + noise[spec.point])}

    table = sensitivity(load(folder_of_outcomes(plan, tmp_path / "r", outcome)), metrics=["poster"])
    rows = table.set_index("parameter")
    # shares of the variance: policy 4 (1/3) (2/3) = 8/9 of 8/9 + 1/12 + 0.04, 0.88, and
    # openness 0.08; RBD-FAST reads about 81-90 % of a step's share (open, then the others)
    assert 0.55 < rows["S1"].to_dict()["culture.policy"] < 0.9
    assert not rows.loc["culture.policy", "within_noise"]
    assert rows.loc["delegation.followed", "within_noise"]
    assert any("culture.policy: a category" in note for note in table.attrs["notes"])
