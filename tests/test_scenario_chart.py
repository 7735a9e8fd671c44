"""A scenario on an imported org chart (``[scenario] org_csv``, ``ties_csv``): sweeps, their
resume and rebuild on the chart, whatever folder they are started from."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulator.orgchart import Org, build_org
from simulator.orgimport import write_org_csv
from simulator.params import OrgParams
from simulator.results import ResultsError, compare, load, rebuild
from simulator.scenario import ScenarioError, load_scenario, plan, reduced
from simulator.sweep import run, sweep

SCENARIO = """\
[scenario]
name = "mine"
seed = 7
replications = 3
steps = 10
org_csv = "charts/org.csv"
{header}
[params]
{params}
[arms.model]
leaders.strategy = "model"

[arms.delegate]
leaders.strategy = "delegate"

[[axes]]
param = "culture.openness"
values = [0.3, 0.7]
"""


def chart(folder: Path, size: int = 80, seed: int = 5) -> Org:
    """An org chart written as an HR export would be (a generated one, its ids as text)."""
    org = build_org(OrgParams(size=size), np.random.default_rng(seed))
    folder.mkdir(parents=True, exist_ok=True)
    write_org_csv(org, folder / "org.csv")
    return org


def scenario_file(folder: Path, header: str = "", params: str = "") -> Path:
    path = folder / "sc.toml"
    path.write_text(SCENARIO.format(header=header, params=params), encoding="utf-8")
    return path


def test_every_run_is_on_the_chart_from_any_folder_and_rebuilds_on_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The chart's path is taken from the scenario file's folder, not the one the sweep is
    started from; one worker or two give the same runs; a run rebuilt from the folder alone
    is on the chart and reproduces its numbers."""
    org = chart(tmp_path / "study" / "charts", size=80)
    path = scenario_file(tmp_path / "study")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    _, plan = load_scenario(path)
    assert plan.chart is not None and plan.chart.n == 80
    assert {p.org.size for p in plan.params.values()} == {80}
    sweep(plan, tmp_path / "one", workers=1)
    sweep(plan, tmp_path / "two", workers=2)
    assert compare(tmp_path / "one", tmp_path / "two").identical
    results = load(tmp_path / "one")
    assert len(results.outcomes) == plan.run_count == 2 * 2 * 3
    spec = rebuild(results, 1, "delegate", 2)
    assert np.array_equal(spec.organisation().manager, org.manager)
    row = results.outcomes.set_index(["point", "arm", "replication"]).loc[(1, "delegate", 2)]
    again = run(spec)
    for metric in ("poster", "posts", "reach", "criticised"):
        assert again.outcomes[metric] == row[metric] or (
            pd.isna(again.outcomes[metric]) and pd.isna(row[metric])
        )


def test_the_report_names_the_chart_and_its_digest(tmp_path: Path) -> None:
    from simulator.report import write_report

    chart(tmp_path / "charts", size=60)
    _, plan = load_scenario(scenario_file(tmp_path))
    sweep(plan, tmp_path / "res", workers=1)
    html = write_report(tmp_path / "res").read_text(encoding="utf-8")
    assert plan.chart is not None
    assert f"{tmp_path / 'charts' / 'org.csv'} (60 people; SHA-256 {plan.chart.sha256})" in html
    scenario = html[html.index("<h2>Scenario") : html.index("</table>", html.index("<h2>Scenario"))]
    assert f"<th>Organisation</th><td>{tmp_path / 'charts' / 'org.csv'} (60 people)" in scenario
    assert "org.size" not in scenario  # (the chart's, not a setting made)


def test_a_folder_named_as_the_chart_is_said_to_be_one(tmp_path: Path) -> None:
    chart(tmp_path / "charts", size=60)
    path = scenario_file(tmp_path)
    path.write_text(path.read_text().replace('"charts/org.csv"', '"charts"'))
    with pytest.raises(ScenarioError, match=r"scenario\.org_csv = 'charts': a folder, not a table"):
        load_scenario(path)


def test_a_changed_chart_is_another_scenario_and_a_moved_one_is_not(tmp_path: Path) -> None:
    """The digest holds the chart's contents, not its path: a folder moved with its
    scenario and chart resumes; a chart edited since is refused."""
    chart(tmp_path / "a" / "charts", size=60)
    _, plan = load_scenario(scenario_file(tmp_path / "a"))
    sweep(plan, tmp_path / "res", workers=1)
    (tmp_path / "a").rename(tmp_path / "b")
    _, moved = load_scenario(tmp_path / "b" / "sc.toml")
    assert moved.digest() == plan.digest()
    assert sweep(moved, tmp_path / "res", workers=1).done == 0  # all there already
    chart(tmp_path / "b" / "charts", size=61)
    _, edited = load_scenario(tmp_path / "b" / "sc.toml")
    with pytest.raises(ResultsError, match="another scenario"):
        sweep(edited, tmp_path / "res", workers=1)


def test_informal_ties_from_a_table_are_every_replications(tmp_path: Path) -> None:
    org = chart(tmp_path / "charts", size=60)
    ids = org.ids
    ties = tmp_path / "charts" / "ties.csv"
    ties.write_text(f"source,target\n{ids[5]},{ids[40]}\n{ids[7]},{ids[33]}\n", encoding="utf-8")
    _, plan = load_scenario(scenario_file(tmp_path, header='ties_csv = "charts/ties.csv"'))
    specs = [plan.spec(0, "model", r) for r in range(3)]
    for spec in specs:
        assert spec.organisation().lateral.tolist() == [[5, 40], [7, 33]]
    follows = [spec.organisation().follows for spec in specs]
    assert not np.array_equal(follows[0], follows[1])  # drawn per replication


@pytest.mark.parametrize(
    ("header", "params", "said"),
    [
        ("", "org.size = 500", "params: org.size does not apply with scenario.org_csv"),
        ("", "org.units = 3", "params: org.units does not apply with scenario.org_csv"),
        (
            'ties_csv = "charts/org.csv"',
            "org.lateral_within = 2.0",
            "params: org.lateral_within does not apply with scenario.ties_csv",
        ),
        ('ties_csv = "nowhere.csv"', "", "scenario.ties_csv = 'nowhere.csv': no such file"),
    ],
)
def test_a_chart_with_settings_it_replaces_or_a_missing_file_is_refused(
    tmp_path: Path, header: str, params: str, said: str
) -> None:
    chart(tmp_path / "charts", size=60)
    with pytest.raises(ScenarioError, match=said.replace(".", r"\.")):
        load_scenario(scenario_file(tmp_path, header=header, params=params))


def test_a_bad_chart_is_named_with_the_scenario_field(tmp_path: Path) -> None:
    (tmp_path / "charts").mkdir()
    (tmp_path / "charts" / "org.csv").write_text("id,manager_id\nA,\nB,Z\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(scenario_file(tmp_path))
    assert str(err.value).startswith(f"{tmp_path / 'sc.toml'}: scenario.org_csv: ")
    assert "'Z'" in str(err.value)
    path = scenario_file(tmp_path, header='ties_csv = "t.csv"')
    path.write_text(path.read_text().replace('org_csv = "charts/org.csv"\n', ""))
    with pytest.raises(ScenarioError, match="ties_csv needs org_csv"):
        load_scenario(path)


def test_the_reduced_form_keeps_the_charts_people(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It caps generated organisations at 150 people, which an org chart refused; planned
    from Python in another folder (as scenarios/README shows), it is on the same chart (it
    looked for the chart in the current folder)."""
    chart(tmp_path / "charts", size=200)
    chart(tmp_path / "elsewhere" / "charts", size=60)
    scenario, _ = load_scenario(scenario_file(tmp_path))
    monkeypatch.chdir(tmp_path / "elsewhere")
    small = plan(reduced(scenario))
    assert small.chart is not None and small.chart.n == 200
    assert small.replications == 2 and {p.org.size for p in small.params.values()} == {200}


def test_more_replications_and_a_rebuild_after_the_study_moved(tmp_path: Path) -> None:
    """Adding replications re-planned the folder's scenario from the chart's old place:
    after a move it was refused as another scenario; rebuild found no file and could not
    be told where the chart went, and blamed orgsim for an edited chart."""
    chart(tmp_path / "a" / "charts", size=60)
    _, plan_a = load_scenario(scenario_file(tmp_path / "a"))
    sweep(plan_a, tmp_path / "res", workers=1)
    (tmp_path / "a").rename(tmp_path / "b")
    more = scenario_file(tmp_path / "b", header="")
    more.write_text(more.read_text().replace("replications = 3", "replications = 5"))
    _, plan_b = load_scenario(more)
    assert sweep(plan_b, tmp_path / "res", workers=1).done == 2 * 2 * 2  # only the new ones
    (tmp_path / "b").rename(tmp_path / "c")
    results = load(tmp_path / "res")
    with pytest.raises(ResultsError, match=r"no such file .*rebuild\(\.\.\., org_csv="):
        rebuild(results, 0, "model", 4)
    moved = tmp_path / "c" / "charts" / "org.csv"
    spec = rebuild(results, 0, "model", 4, org_csv=moved)
    row = results.outcomes.set_index(["point", "arm", "replication"]).loc[(0, "model", 4)]
    assert run(spec).outcomes["poster"] == row["poster"]
    moved.write_text(moved.read_text().replace("Unit 1", "Unit One"), encoding="utf-8")
    with pytest.raises(ResultsError, match="org chart that has changed since"):
        rebuild(results, 0, "model", 4, org_csv=moved)


def test_validate_says_which_chart(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from simulator.cli import main

    chart(tmp_path / "charts", size=60)
    assert main(["validate", str(scenario_file(tmp_path))]) == 0
    said = capsys.readouterr().out
    assert f"on the org chart {tmp_path / 'charts' / 'org.csv'} (60 people)" in said


def test_an_engine_on_the_chart_with_a_runs_seeds_is_that_sweep_run(tmp_path: Path) -> None:
    """In Python, ``Engine(params, rng=seed, structure=..., chart=chart)`` builds the
    organisation as the sweep's run on that chart builds it: a notebook could only build one
    by hand (``chart.org(params.org, rng)``), with draws no sweep or ``orgsim run`` made."""
    from simulator.engine import Engine
    from simulator.model import OrgModel
    from simulator.orgimport import Chart

    chart(tmp_path / "study" / "charts", size=70)
    _, p = load_scenario(scenario_file(tmp_path / "study"))
    table = Chart.read(tmp_path / "study" / "charts" / "org.csv")
    spec = p.spec(1, "delegate", 2)
    swept = run(spec).outcomes
    params = spec.params.with_updates({"org.size": OrgParams().size})  # (the chart's is taken)
    for kind in (Engine, OrgModel):
        model = kind(params, rng=spec.seed, structure=spec.structure, chart=table)
        assert model.params.org.size == 70
        assert np.array_equal(model.org.manager, spec.organisation().manager)
        assert len(model.org.lateral) and np.array_equal(
            model.org.lateral, spec.organisation().lateral
        )
        assert np.array_equal(model.org.follows, spec.organisation().follows)
        mine = model.run().outcomes().iloc[0]
        for metric in ("poster", "posts", "reach", "criticised"):
            assert mine[metric] == swept[metric] or (
                pd.isna(mine[metric]) and pd.isna(swept[metric])
            )
    with pytest.raises(TypeError, match="not both"):
        Engine(params, rng=1, org=spec.organisation(), chart=table)
    path = tmp_path / "study" / "charts" / "org.csv"  # (a path is read as Chart.read reads it)
    again = OrgModel(params, rng=spec.seed, structure=spec.structure, chart=str(path))
    assert np.array_equal(again.org.lateral, spec.organisation().lateral)
    with pytest.warns(UserWarning, match=r"org.size = 500, but the org chart given .* 70 people"):
        sized = Engine(params.with_updates({"org.size": 500}), rng=1, chart=path)
    assert sized.org.n == sized.params.org.size == 70
