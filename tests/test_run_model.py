"""Any run of a sweep opened as a Mesa model (``results.model(point, arm, replication)``,
:meth:`simulator.plan.RunSpec.model`): stepped to the horizon it is the stored run, bit for
bit (outcomes, series, people), and a run never planned is named, not built."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulator.model import OrgModel
from simulator.orgchart import build_org
from simulator.orgimport import write_org_csv
from simulator.params import OrgParams
from simulator.people import COLUMNS, frame
from simulator.results import Results, ResultsError, load, rebuild
from simulator.scenario import load_scenario
from simulator.state import STAGES
from simulator.sweep import sweep

SCENARIO = """\
[scenario]
name = "odd"
seed = 23
replications = 2
steps = 8
{header}
[record]
people = true
every = 2

[params]
{size}
[arms.model]
leaders.strategy = "model"

[arms.delegate]
leaders.strategy = "delegate"

[[axes]]
param = "culture.openness"
values = [0.3, 0.8]

[outcomes]
poster_w4 = {{ series = "poster", at = 4 }}
"""


def swept(folder: Path, header: str = "", size: str = "org.size = 100\n") -> Results:
    """The scenario swept into ``folder / "r"`` (and written to ``folder / "sc.toml"``)."""
    path = folder / "sc.toml"
    path.write_text(SCENARIO.format(header=header, size=size), encoding="utf-8")
    sweep(load_scenario(path)[1], folder / "r", workers=1)
    return load(folder / "r")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Results:
    """2 points x 2 arms x 2 replications, each on its own generated organisation."""
    return swept(tmp_path_factory.mktemp("generated"))


@pytest.fixture(scope="module")
def charted(tmp_path_factory: pytest.TempPathFactory) -> Results:
    """The same on an org chart of 90 people, one set of ties for every run (``orgs = 1``)."""
    folder = tmp_path_factory.mktemp("charted")
    write_org_csv(build_org(OrgParams(size=90), np.random.default_rng(5)), folder / "org.csv")
    return swept(folder, header='org_csv = "org.csv"\norgs = 1\n', size="")


def stored(results: Results, point: int, arm: str, replication: int) -> pd.Series:
    out = results.outcomes
    mine = (out["point"] == point) & (out["arm"] == arm) & (out["replication"] == replication)
    return out[mine].iloc[0]


def same(ran: pd.Series, kept: pd.Series) -> None:
    """The outcomes of a model run equal the stored row's, exactly (NaN where it has NaN)."""
    for name in map(str, ran.index):
        value, held = ran[name], kept[name]
        assert (pd.isna(value) and pd.isna(held)) or value == held, (name, value, held)


@pytest.mark.parametrize("fixture", ["generated", "charted"])
def test_every_run_stepped_as_a_model_is_the_stored_run(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    results: Results = request.getfixturevalue(fixture)
    assert len(results.outcomes) == 8 and (results.outcomes["status"] == "ok").all()
    for point, arm, replication in results.outcomes[["point", "arm", "replication"]].itertuples(
        index=False
    ):
        model = results.model(point, arm, replication)
        assert isinstance(model, OrgModel) and model.week == 0
        assert len(model.people) == model.org.n == (100 if fixture == "generated" else 90)
        for _ in range(8):  # week by week, through Mesa's step
            model.step()
        assert not model.running
        kept = stored(results, point, arm, replication)
        defined = dict(rebuild(results, point, arm, replication).outcomes)  # ([outcomes])
        ran = model.outcomes(defined).drop(columns="replication").iloc[0]
        assert "poster_w4" in ran and "t50" in ran
        same(ran, kept)
        series = results.series
        mine = series[
            (series["point"] == point)
            & (series["arm"] == arm)
            & (series["replication"] == replication)
        ]
        assert mine["step"].tolist() == [0, 2, 4, 6, 8]  # ([record] every = 2)
        weekly = model.series().set_index("step").loc[mine["step"]]
        assert weekly["poster"].tolist() == mine["poster"].tolist()
        people = results.read_people(point=point, arm=arm, replication=replication)
        pd.testing.assert_frame_equal(
            frame(model)[list(COLUMNS)],
            people[list(COLUMNS)].reset_index(drop=True),
            check_dtype=False,
        )


def test_without_agents_and_by_run_the_numbers_are_the_same(generated: Results) -> None:
    """``agents=False`` builds no Person agents; ``model.run()`` (all weeks at once) gives
    the row too; the arms of a pair start from the same people (common random numbers)."""
    model = generated.model(1, "delegate", 1, agents=False)
    with pytest.warns(UserWarning, match="agents=False"):
        assert model.people == []
    other = generated.model(1, "model", 1)
    assert np.array_equal(other.org.manager, model.org.manager)
    assert np.array_equal(other.state.stage, model.state.stage)
    assert [p.stage for p in other.people] == [STAGES[k] for k in other.state.stage[0]]
    same(model.run().outcomes().iloc[0].drop("replication"), stored(generated, 1, "delegate", 1))


def test_the_model_is_the_run_of_its_key_not_another(generated: Results) -> None:
    """Another replication or point is another run: its numbers differ (the test can fail)."""
    a = generated.model(0, "model", 0, agents=False).run().series()["poster"].tolist()
    b = generated.model(0, "model", 1, agents=False).run().series()["poster"].tolist()
    c = generated.model(1, "model", 0, agents=False).run().series()["poster"].tolist()
    assert a != b and a != c


@pytest.mark.parametrize(
    ("point", "arm", "replication", "named"),
    [
        (0, "modle", 0, "arm 'modle' (its arms are 'model', 'delegate')"),
        (0, "model", 2, "replication 2 (it ran replications 0 to 1)"),
        (2, "model", 0, "point 2 (the design has points 0 to 1)"),
    ],
)
def test_a_run_not_planned_is_named(
    generated: Results, point: int, arm: str, replication: int, named: str
) -> None:
    with pytest.raises(ResultsError, match=re.escape(f"no such run planned: {named}")):
        generated.model(point, arm, replication)
