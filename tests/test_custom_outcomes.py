"""Outcomes a scenario defines (``[outcomes]``): read off the weekly record, validated at the
door, part of the digest, and ordinary outcome columns from the sweep to the exports."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from simulator.analysis import summarise, upper_limits
from simulator.cli import main
from simulator.custom_outcomes import Outcome, fewest_levels, measure
from simulator.engine import Engine
from simulator.metrics import first_reaching
from simulator.orgchart import build_org
from simulator.orgimport import write_org_csv
from simulator.params import OrgParams, Params
from simulator.results import ResultsError, ResultsFolder, load
from simulator.scenario import ScenarioError, load_scenario, parse_scenario, plan, reduced

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"

DEFINED = {
    "poster_w3": {"series": "poster", "at": 3},
    "peak_listener": {"series": "listener", "stat": "max"},
    "posts_early": {"series": "posts", "stat": "sum", "from": 1, "until": 3},
    "weeks_to_20pct": {"series": "poster", "first_reaching": 0.2},
    "top_w2": {"series": "poster", "level": 0, "at": 2},
    "front_mean": {"series": "poster", "level": -1, "stat": "mean"},
}


@pytest.fixture(scope="module")
def engine() -> Engine:
    """Two replications of a small organisation, six weeks."""
    params = Params().with_updates({"org.size": 80, "steps": 6, "leaders.strategy": "model"})
    return Engine(params, rng=[11, 12]).run()


def test_each_outcome_is_read_off_the_weekly_record(engine: Engine) -> None:
    table = engine.outcomes(DEFINED)
    series, levels = engine.series(), engine.levels()
    deepest = levels["level"].max()
    for r in (0, 1):
        week = series[series["replication"] == r].set_index("step")
        level = levels[levels["replication"] == r]
        row = table.iloc[r]
        assert row["poster_w3"] == week.loc[3, "poster"]
        assert row["peak_listener"] == week["listener"].max()
        assert row["posts_early"] == week.loc[1:3, "posts"].sum()
        top = level[level["level"] == 0].set_index("step")
        assert row["top_w2"] == top.loc[2, "poster"]
        front = level[level["level"] == deepest]["poster"]
        assert row["front_mean"] == pytest.approx(front.mean(), rel=1e-12)
    poster = np.stack([series[series["replication"] == r]["poster"] for r in (0, 1)], axis=1)
    expected = first_reaching(poster, 0.2)
    np.testing.assert_array_equal(table["weeks_to_20pct"].to_numpy(), expected)
    # the built-in outcomes are there too, and unchanged
    assert table["t10"].tolist() == engine.outcomes()["t10"].tolist()


def test_a_level_never_reached_is_nan_and_one_never_reached_at_all_too(engine: Engine) -> None:
    table = engine.outcomes({"never": {"series": "posts", "first_reaching": 1e9}})
    assert table["never"].isna().all()


def test_a_run_of_a_sweep_reads_every_week_whatever_its_record_keeps() -> None:
    from simulator.sweep import run

    own = {"w3": {"series": "poster", "at": 3}, "most": {"series": "posts", "stat": "max"}}
    results = []
    for every in (1, 4):
        data = {**BASE, "record": {"every": every}, "outcomes": own}
        results.append(run(parse_scenario(data)[1].spec(0, "base", 0)))
    full, thinned = results
    assert full.series is not None and thinned.series is not None
    assert 3 not in set(thinned.series["step"])  # (weeks 0, 4, 8 and 10 kept)
    assert thinned.outcomes["w3"] == full.outcomes["w3"] == full.series.loc[3, "poster"]
    assert thinned.outcomes["most"] == full.outcomes["most"] == full.series["posts"].max()


def test_the_engine_refuses_weeks_past_its_horizon(engine: Engine) -> None:
    with pytest.raises(ValueError, match=r"outcomes.late.at = 9: past the end of the run"):
        engine.outcomes({"late": {"series": "poster", "at": 9}})


def test_what_each_outcome_measures() -> None:
    kinds = {name: measure(name, Outcome.model_validate(d)).kind for name, d in DEFINED.items()}
    assert kinds == {
        "poster_w3": "share",
        "peak_listener": "share",
        "posts_early": "count",
        "weeks_to_20pct": "weeks",
        "top_w2": "share",
        "front_mean": "share",
    }
    summed = measure("x", Outcome(series="poster", stat="sum"))
    assert (summed.kind, summed.unit) == ("count", "share-weeks (weekly values summed)")
    own = measure("x", Outcome.model_validate({"series": "posts", "at": 2, "label": "Posts"}))
    assert own.label == "Posts"


def test_fewest_levels_is_the_shallowest_organisation_the_spans_can_build() -> None:
    params = Params().with_updates({"org.size": 200, "org.span": 4, "org.span_jitter": 1})
    org = params.org
    shallowest = fewest_levels(org.size, org.units, org.span, org.span_jitter)
    for seed in range(5):
        built = Engine(params.with_updates({"steps": 1}), rng=seed).org.levels
        assert built >= shallowest
    assert fewest_levels(200, org.units, 5, 0) <= fewest_levels(200, org.units, 4, 0)


# -- validation -------------------------------------------------------------------------------
BASE: dict[str, Any] = {
    "scenario": {"name": "outcomes", "seed": 1, "replications": 2, "steps": 10},
    "params": {"org": {"size": 60}},
}


@pytest.mark.parametrize(
    ("outcomes", "line"),
    [
        (
            {"poster_w26": {"series": "poster", "at": 26}},
            "f.toml: outcomes.poster_w26.at = 26: past the end of the run; at most 10",
        ),
        (
            {"x": {"series": "postr", "at": 2}},
            "f.toml: outcomes.x.series = 'postr': no such series; did you mean 'poster'?",
        ),
        (
            {"x": {"series": "poster", "at": 2, "stat": "max"}},
            "f.toml: outcomes.x: give exactly one of at, stat, first_reaching (here at = 2 and"
            " stat = 'max')",
        ),
        ({"x": {"series": "poster", "stats": "max"}}, "f.toml: outcomes.x: unknown key 'stats';"),
        (
            {"x": {"series": "poster", "stat": "median"}},
            "f.toml: outcomes.x.stat = 'median': must be one of 'max', 'min', 'mean' or 'sum'",
        ),
        (
            {"poster": {"series": "poster", "at": 2}},
            "f.toml: outcomes.poster: 'poster' is a built-in outcome",
        ),
        (
            {"x": {"series": "poster", "level": 9, "at": 2}},
            "f.toml: outcomes.x.level = 9: the organisation has 4 levels (at the fewest); choose"
            " from 0 (the top) to 3, or -1 to -4 from the deepest",
        ),
        (
            {"x": {"series": "posts", "level": 1, "at": 2}},
            "f.toml: outcomes.x: level goes with a stage's share",
        ),
        (
            {"x": {"series": "poster", "stat": "sum", "from": 5, "until": 3}},
            "f.toml: outcomes.x: from = 5 is after until = 3",
        ),
        ({"x": {"series": "poster", "at": True}}, "f.toml: outcomes.x.at = true: must be a whole"),
        ({"x y": {"series": "poster", "at": 1}}, "f.toml: outcomes.'x y': not a name"),
        (
            {"Inf": {"series": "poster", "at": 1}},
            "f.toml: outcomes.Inf: 'Inf' reads as a number (infinity) in a condition",
        ),
        (
            {"x": {"series": "poster", "first_reaching": 30}},
            "f.toml: outcomes.x.first_reaching = 30: must be 0 to 1: poster is a share, 0 to 1,"
            " and never reaches 30 (30 % is 0.3)",
        ),
        (
            {"x": {"series": "comfort", "first_reaching": 1.5}},
            "f.toml: outcomes.x.first_reaching = 1.5: must be 0 to 1: comfort is a mean score",
        ),
        (
            {"x": {"series": "non_user", "first_reaching": 0.5}},
            "f.toml: outcomes.x.first_reaching = 0.5: non_user starts at its highest and falls,"
            " so the first week it is at least 0.5 is week 0 (or none): first_reaching is the"
            ' first week a rising series reaches a value; use series = "listener" or "poster"',
        ),
        (
            {"x": {"series": "non_user", "level": 0, "first_reaching": 0.2}},
            "f.toml: outcomes.x.first_reaching = 0.2: non_user starts at its highest",
        ),
        (
            {"x": {"series": "poster", "first_reaching": float("nan")}},
            "f.toml: outcomes.x.first_reaching = nan: must be a finite number, such as 0.3",
        ),
        (
            {"x": {"series": "posts", "first_reaching": float("inf")}},
            "f.toml: outcomes.x.first_reaching = inf: must be a finite number",
        ),
    ],
)
def test_a_bad_outcome_is_one_line_naming_the_file_key_value_and_what_is_allowed(
    outcomes: dict[str, Any], line: str
) -> None:
    with pytest.raises(ScenarioError) as err:
        parse_scenario({**BASE, "outcomes": outcomes}, source="f.toml")
    assert len(err.value.lines) == 1
    assert err.value.lines[0].startswith(line), err.value.lines[0]


def test_a_week_past_the_shortest_arm_is_refused() -> None:
    data = {**BASE, "arms": {"long": {}, "short": {"steps": 4}}}
    parse_scenario({**data, "outcomes": {"w4": {"series": "poster", "at": 4}}})
    with pytest.raises(ScenarioError, match=r"outcomes.w5.at = 5: .* at most 4 \(the shortest"):
        parse_scenario({**data, "outcomes": {"w5": {"series": "poster", "at": 5}}})


SWEPT_STEPS: dict[str, Any] = {
    "scenario": {"name": "st", "seed": 1, "replications": 2},
    "params": {"org": {"size": 60}},
    "axes": [{"param": "steps", "bounds": [2, 60]}],
    "design": {"kind": "lhs", "samples": 4},
}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_week_past_a_swept_horizons_low_bound_is_refused_whatever_was_drawn(seed: int) -> None:
    """Checked against the axis's low bound, not the horizons this seed happened to draw
    (which were all past week 5, so week 5 passed)."""
    data = {**SWEPT_STEPS, "scenario": {**SWEPT_STEPS["scenario"], "seed": seed}}
    parse_scenario({**data, "outcomes": {"w2": {"series": "poster", "at": 2}}})
    with pytest.raises(ScenarioError) as err:
        parse_scenario({**data, "outcomes": {"w5": {"series": "poster", "at": 5}}}, "st.toml")
    assert err.value.lines == [
        "st.toml: outcomes.w5.at = 5: past the end of the run; at most 2 (steps is swept from"
        " 2; week 0 is the start)"
    ]
    listed = {**data, "axes": [{"param": "steps", "values": [30, 3, 60]}]}
    with pytest.raises(ScenarioError, match=r"at most 3 \(steps is swept from 3;"):
        parse_scenario({**listed, "outcomes": {"w5": {"series": "poster", "at": 5}}})


def test_the_reduced_form_caps_weeks_at_its_shortest_swept_horizon() -> None:
    """The small version's steps axis runs 4 to 8 weeks (or its own smaller low bound): its
    outcomes keep their week up to that shortest horizon, and it plans."""
    outcomes = {"w": {"series": "poster", "at": 2}, "late": {"series": "poster", "at": 10}}
    long = {**SWEPT_STEPS, "axes": [{"param": "steps", "values": [20, 60]}]}
    small = plan(reduced(parse_scenario({**long, "outcomes": outcomes})[0])).scenario
    assert small.axes[0].values == (8,)
    assert (small.outcomes["w"].at, small.outcomes["late"].at) == (2, 8)
    short = {**SWEPT_STEPS, "axes": [{"param": "steps", "bounds": [1, 60]}]}
    one = parse_scenario({**short, "outcomes": {"w1": {"series": "poster", "at": 1}}})[0]
    small = plan(reduced(one)).scenario
    assert small.axes[0].bounds == (1, 8) and small.outcomes["w1"].at == 1


def test_a_share_reaches_levels_up_to_1_and_a_count_any_level() -> None:
    reachable = {
        "all_posting": {"series": "poster", "first_reaching": 1},
        "posts_30": {"series": "posts", "first_reaching": 30},
        "reach_1000": {"series": "reach", "first_reaching": 1000.5},
    }
    scenario, _ = parse_scenario({**BASE, "outcomes": reachable})
    assert {n: o.first_reaching for n, o in scenario.outcomes.items()} == {
        "all_posting": 1,
        "posts_30": 30,
        "reach_1000": 1000.5,
    }


# -- the digest -------------------------------------------------------------------------------
FLAGSHIP_DIGEST = "8428042d335cc973747cd5ecfff37ce9178717f3c2d07de2f6288104b8e025e8"


def test_a_scenario_without_outcomes_keeps_its_digest() -> None:
    _, flagship = load_scenario(SCENARIOS / "modeling_vs_delegation.toml")
    assert "outcomes" not in flagship.resolved()
    assert flagship.digest() == FLAGSHIP_DIGEST


def test_outcomes_change_the_digest_and_their_reduced_form_plans() -> None:
    scenario, without = parse_scenario(BASE)
    _, with_one = parse_scenario({**BASE, "outcomes": {"w3": {"series": "poster", "at": 3}}})
    _, other = parse_scenario({**BASE, "outcomes": {"w3": {"series": "poster", "at": 4}}})
    assert len({without.digest(), with_one.digest(), other.digest()}) == 3
    big = parse_scenario(
        {
            **BASE,
            "scenario": {**BASE["scenario"], "steps": 52},
            "params": {"org": {"size": 1000}},
            "outcomes": {"w40": {"series": "poster", "level": 3, "at": 40}},
        }
    )[0]
    small = plan(reduced(big)).scenario.outcomes["w40"]
    assert (small.at, small.level) == (8, 1)
    assert scenario.outcomes == {}


def test_the_reduced_form_on_an_org_chart_keeps_the_level(tmp_path: Path) -> None:
    """An org chart keeps its people and levels in the small version, so an outcome at its
    level 3 stays at level 3 (it was moved to level 1, of the generated 150 people that the
    chart does not become)."""
    org = build_org(OrgParams(size=400), np.random.default_rng(2))
    assert org.levels >= 4
    write_org_csv(org, tmp_path / "org.csv")
    (tmp_path / "sc.toml").write_text(
        '[scenario]\nname = "chart"\nseed = 1\nreplications = 2\nsteps = 52\n'
        'org_csv = "org.csv"\n\n[outcomes]\nw40 = { series = "poster", level = 3, at = 40 }\n'
        'front = { series = "poster", level = -3, stat = "mean" }\n',
        encoding="utf-8",
    )
    scenario, _ = load_scenario(tmp_path / "sc.toml")
    small = plan(reduced(scenario))
    assert small.chart is not None and small.chart.n == org.n
    kept = small.scenario.outcomes
    assert (kept["w40"].at, kept["w40"].level, kept["front"].level) == (8, 3, -3)


# -- end to end -------------------------------------------------------------------------------
SCENARIO = """\
# Question: outcomes of one's own, end to end
[scenario]
name = "own"
seed = 5
replications = 1
steps = 5

[params]
org.size = 40

[arms.model]
leaders.strategy = "model"

[arms.delegate]
leaders.strategy = "delegate"

[[axes]]
param = "culture.openness"

[[axes]]
param = "learning.endorsement_weight"
bounds = [0.0, 0.6]

[design]
kind = "morris"
samples = 2

[outcomes]
poster_w2 = { series = "poster", at = 2 }
weeks_to_15pct = { series = "poster", first_reaching = 0.15 }
"""


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("own")
    scenario = folder / "own.toml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    out = folder / "res"
    args = ["sweep", str(scenario), "--out", str(out), "--workers", "1", "--quiet"]
    assert main([*args, "--no-report"]) == 0
    return scenario, out


def test_a_sweep_writes_them_as_outcome_columns_with_their_measures(
    swept: tuple[Path, Path],
) -> None:
    _, out = swept
    results = load(out)
    outcomes = results.outcomes
    assert {"poster_w2", "weeks_to_15pct"} <= set(outcomes.columns)
    series = results.series.set_index(["point", "arm", "replication", "step"])["poster"]
    for row in outcomes.itertuples():
        week_2: Any = (row.point, row.arm, row.replication, 2)
        assert row.poster_w2 == series.loc[week_2]
    assert outcomes.attrs["measures"]["weeks_to_15pct"]["kind"] == "weeks"
    assert (upper_limits(outcomes, "weeks_to_15pct") == 5).all()
    assert (upper_limits(outcomes, "poster_w2") == 1).all()
    summary = summarise(outcomes)
    assert {"poster_w2", "weeks_to_15pct"} <= set(summary["metric"])


def test_report_export_sensitivity_and_diff_take_them_by_name(
    swept: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out = swept
    assert main(["report", str(out), "--out", str(tmp_path / "report")]) == 0
    summary = pd.read_csv(tmp_path / "report" / "summary.csv")
    assert "poster_w2" in set(summary["metric"])
    contrasts = pd.read_csv(tmp_path / "report" / "contrasts.csv")
    assert "weeks_to_15pct" in set(contrasts["metric"])
    assert main(["export", str(out), "--out", str(tmp_path / "export")]) == 0
    exported = pd.read_csv(tmp_path / "export" / "outcomes.csv")
    assert "poster_w2" in exported.columns
    readme = (tmp_path / "export" / "README.txt").read_text(encoding="utf-8")
    assert "poster_w2" in readme and "Share posting, week 2" in readme
    target = tmp_path / "indices.csv"
    argv = ["sensitivity", str(out), "--metric", "poster_w2", "--out", str(target)]
    assert main(argv) == 0
    assert set(pd.read_csv(target)["metric"]) == {"poster_w2"}
    capsys.readouterr()
    assert main(["sensitivity", str(out), "--metric", "poster_w3"]) == 2
    assert "did you mean 'poster_w2'?" in capsys.readouterr().err
    assert main(["diff", str(out), str(out)]) == 0
    pytest.importorskip("ema_workbench")
    model = load(out).outcomes.query("arm == 'model'")["poster_w2"]
    middle = (model.min() + model.max()) / 2  # (some runs above it, some not)
    where = ["--where", f"poster_w2 > {middle}", "--arm", "model", "--out", str(tmp_path / "box")]
    assert main(["discover", str(out), *where]) == 0
    assert (tmp_path / "box").is_dir()


def test_resuming_with_other_outcomes_is_refused(swept: tuple[Path, Path], tmp_path: Path) -> None:
    scenario, out = swept
    text = scenario.read_text(encoding="utf-8").replace("at = 2", "at = 3")
    _, other = parse_scenario(tomllib.loads(text), source="other")
    with pytest.raises(ResultsError, match="differs"):
        ResultsFolder.open(out, other)


def test_worker_processes_give_the_same_values(
    swept: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario, out = swept
    again = tmp_path / "two"
    args = [str(scenario), "--out", str(again), "--workers", "2", "--quiet", "--no-report"]
    assert main(["sweep", *args]) == 0
    capsys.readouterr()
    assert main(["diff", str(out), str(again)]) == 0
    assert "identical: 12 runs" in capsys.readouterr().out
    assert load(again).outcomes["poster_w2"].notna().all()
