"""Mesa agents are views on the vectorised state."""

from __future__ import annotations

import pickle
import warnings

import mesa
import numpy as np
import pytest

from simulator import OrgModel, Params
from simulator.agents import Person
from simulator.state import STAGES


def test_people_are_mesa_agents_that_read_the_state() -> None:
    model = OrgModel(Params().with_updates({"org.size": 120, "steps": 8}), rng=3)
    assert isinstance(model, mesa.Model)
    assert len(model.agents) == 120 and all(isinstance(a, Person) for a in model.agents)
    model.run()
    stages = [p.stage for p in model.people]
    assert stages == [STAGES[s] for s in model.state.stage[0]]
    top = model.people[0]
    assert top.manager is None and top.level == 0 and top.strategy == "model"
    assert {r.index for r in top.reports} == set(np.flatnonzero(model.org.manager == 0))
    worker = model.people[-1]
    assert worker.manager is not None and worker in worker.manager.reports
    assert worker.comfort == model.state.comfort[0, -1]
    assert worker.efficacy == model.efficacy()[0, -1]
    assert worker.posts == model.state.posts[0, -1]
    # a change in the arrays shows through the agent at once
    model.state.comfort[0, -1] = 0.123
    assert worker.comfort == 0.123


def test_agentset_queries_work() -> None:
    model = OrgModel(Params().with_updates({"org.size": 200}), rng=4).run(10)
    posters = model.agents.select(lambda p: p.stage == "poster")
    assert len(posters) == int((model.state.stage[0] == 2).sum())
    assert model.steps == 10


def test_mesa_run_model_stops_at_the_horizon_with_the_runs_numbers() -> None:
    params = Params().with_updates({"org.size": 100, "steps": 7})
    model = OrgModel(params, rng=5)
    assert model.running
    while model.running and model.week < 100:  # Mesa's run_model(), bounded here
        model.step()
    assert (model.week, model.steps, model.running) == (7, 7, False)
    assert model.series().equals(OrgModel(params, rng=5).run().series())
    model.step()  # stepping on past the horizon is still allowed
    assert model.week == 8 and not model.running


def test_the_parameters_cannot_be_swapped_during_a_run() -> None:
    """They are compiled into the model: a swap changed nothing but ``efficacy()``."""
    model = OrgModel(Params().with_updates({"org.size": 60}), rng=2).run(5)
    before = model.params
    with pytest.raises(AttributeError, match=r"leaders\.start"):
        model.params = before.with_updates({"learning.explicit_weight": 0.9})
    assert model.params is before


def test_bad_arguments_are_named() -> None:
    """``run(2.5)`` ran 3 weeks and ``run(-3)`` none, silently; a dict of updates gave
    "'dict' object has no attribute 'org'"."""
    model = OrgModel(Params().with_updates({"org.size": 50}), rng=1)
    for steps in (2.5, -3, True):
        with pytest.raises(ValueError, match=r"steps must be a whole number >= 0"):
            model.run(steps)  # type: ignore[arg-type]
    assert model.week == 0 and model.run(np.int64(2)).week == 2
    with pytest.raises(TypeError, match=r"params must be a Params, not dict: e\.g\. Params\(\)"):
        OrgModel({"org.size": 100})  # type: ignore[arg-type]


def test_a_model_pickles_and_goes_on_as_the_original() -> None:
    """For worker processes and saving: it failed on the strategies' cache of subtrees."""
    params = Params().with_updates({"org.size": 120, "leaders.strategy": "restrict"})
    model = OrgModel(params, rng=1).run(5)
    copy = pickle.loads(pickle.dumps(model))
    assert copy.run(10).series().equals(model.run(10).series())
    assert [p.stage for p in copy.people] == [p.stage for p in model.people]


def test_a_leader_who_left_the_role_says_so() -> None:
    model = OrgModel(Params().with_updates({"org.size": 300, "culture.openness": 0.1}), rng=3)
    model.run()
    left = [p for p in model.people if p.left_role]
    assert left and all(p.strategy == "model" for p in left)  # the role they were given
    assert {p.index for p in left} == set(np.flatnonzero(model.state.left_strategy[0]))


def test_the_datacollector_has_the_runs_shares_and_ids_match_the_state() -> None:
    """A Mesa user looks for model.datacollector; unique_id counted from 1 while the person
    printed as Person('0') and sat at index 0 of every state array."""
    model = OrgModel(Params().with_updates({"org.size": 80, "steps": 6}), rng=4)
    model.run_model()
    collected = model.datacollector.get_model_vars_dataframe()
    series = model.series()
    assert list(collected.columns) == list(STAGES) and len(collected) == 7  # weeks 0-6
    assert np.array_equal(collected.to_numpy(), series[list(STAGES)].to_numpy())
    assert [p.unique_id for p in model.people] == list(range(80))
    fifth = model.agents.select(lambda a: a.unique_id == 5)
    assert list(fifth) == [model.people[5]] and model.people[5].person_id == "5"


def test_mesa_calls_that_would_break_the_model_are_refused() -> None:
    """shuffle_do('step') did nothing; remove() dropped the agent while the person stayed."""
    model = OrgModel(Params().with_updates({"org.size": 40}), rng=1)
    with pytest.raises(TypeError, match=r"model\.step\(\) advances everyone"):
        model.agents.shuffle_do("step")
    with pytest.raises(TypeError, match=r"cannot be removed"):
        model.people[3].remove()
    assert len(model.agents) == 40 and model.week == 0
    quick = OrgModel(Params().with_updates({"org.size": 40}), rng=1, agents=False)
    with pytest.warns(UserWarning, match="built with agents=False"):
        assert quick.people == []


def test_an_org_size_the_given_organisation_does_not_have_is_said() -> None:
    from simulator import build_org

    params = Params().with_updates({"org.size": 150})
    big = build_org(Params().org, 1)
    with pytest.warns(UserWarning, match=r"org\.size = 150, but the organisation given"):
        assert OrgModel(params, rng=1, org=big, agents=False).org.n == 1000
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        OrgModel(params, rng=1, org=build_org(params.org, 2), agents=False)
        OrgModel(Params(), rng=1, org=build_org(params.org, 2), agents=False)  # size unset


@pytest.mark.parametrize("seed", ["abc", "7", [1, "x"], float("nan"), 1.5, True])
def test_a_seed_that_is_not_a_whole_number_is_named(seed: object) -> None:
    """rng='abc' was read as three seeds and failed with int()'s "invalid literal"."""
    with pytest.raises(ValueError, match=r"seed must be a whole number >= 0, got"):
        OrgModel(Params().with_updates({"org.size": 30}), rng=seed)  # type: ignore[arg-type]


def test_run_goes_to_the_horizon_and_a_second_run_warns_instead_of_adding_a_year() -> None:
    params = Params().with_updates({"org.size": 80, "steps": 6})
    model = OrgModel(params, rng=2)
    model.step()
    model.step()
    assert model.run().steps == 6  # the weeks left, not six more
    before = model.series()
    with pytest.warns(
        UserWarning, match=r"at week 6, at or past its horizon \(steps = 6\).*run\(n\)"
    ):
        model.run()  # a notebook cell run twice
    assert model.steps == 6 and model.series().equals(before)
    assert model.run(2).steps == 8  # asked for: two more weeks
    assert OrgModel(params, rng=2).run().series().equals(before)


def test_a_strategy_starting_at_or_after_the_horizon_warns_by_its_setting() -> None:
    import warnings

    def said(updates: dict[str, object]) -> list[str]:
        params = Params().with_updates({"org.size": 120, "steps": 10, **updates})
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            OrgModel(params, rng=1, agents=False)
        return [str(w.message) for w in caught if "horizon" in str(w.message)]

    assert said({"leaders.start": 9}) == []  # it acts in week 10, the last
    (line,) = said({"leaders.start": 10})
    assert line.startswith("leaders.start = 10 is not before the horizon (steps = 10)")
    assert "never model within the run" in line
    assert said({"leaders.start": 60, "leaders.strategy": "none"}) == []
    late = {"who": "levels=0-1", "strategy": "delegate", "start": 12}
    (line,) = said({"leaders.rules": [late]})
    assert line.startswith("leaders.rules[0].start = 12") and "never delegate" in line
    replaced = [{**late, "who": "level=0"}, {"who": "level=0", "strategy": "model"}]
    assert said({"leaders.rules": replaced}) == []  # a later rule took its leaders


def test_setting_what_a_person_reads_from_the_state_says_how_to_change_it() -> None:
    model = OrgModel(Params().with_updates({"org.size": 40, "steps": 2}), rng=1)
    with pytest.raises(
        AttributeError, match=r"comfort is read from the model's state.*with_updates"
    ):
        model.agents.set("comfort", 0.9)
    with pytest.raises(AttributeError, match=r"stage is read from the model's state"):
        model.people[3].stage = "poster"
    model.people[3].note = "mine"  # an attribute of one's own is still taken
    assert model.people[3].note == "mine"


def test_mesas_batch_runner_runs_the_model_as_the_readme_says() -> None:
    base = Params().with_updates({"org.size": 60, "steps": 4})
    arms = [base, base.with_updates({"leaders.strategy": "delegate"})]
    rows = mesa.batch_run(
        OrgModel,
        parameters={"params": arms, "agents": [False]},
        rng=range(2),
        max_steps=4,
        display_progress=False,
    )
    assert len(rows) == 4 and all(row["Step"] == 4 for row in rows)
    for row in rows:
        alone = OrgModel(row["params"], rng=row["rng"], agents=False).run()
        assert row["poster"] == alone.series()["poster"].iloc[-1]


def test_mesas_batch_runner_sweeps_dotted_parameters_by_name() -> None:
    """batch_run(OrgModel, parameters={"culture.openness": [...]}) raised "unexpected
    keyword argument 'culture.openness'", and whole Params made an unreadable column."""
    rows = mesa.batch_run(
        OrgModel,
        parameters={"culture.openness": [0.2, 0.9], "org.size": 60, "steps": 4, "agents": False},
        rng=range(2),
        max_steps=4,
        number_processes=1,
        display_progress=False,
    )
    assert sorted((row["culture.openness"], row["rng"]) for row in rows) == [
        (0.2, 0),
        (0.2, 1),
        (0.9, 0),
        (0.9, 1),
    ]
    for row in rows:
        updates = {"culture.openness": row["culture.openness"], "org.size": 60, "steps": 4}
        alone = OrgModel(Params().with_updates(updates), rng=row["rng"], agents=False).run()
        assert alone.params.culture.openness == row["culture.openness"]
        assert row["poster"] == alone.series()["poster"].iloc[-1]
    over = OrgModel(Params().with_updates({"org.size": 50}), rng=1, **{"steps": 3})
    assert (over.params.org.size, over.params.steps) == (50, 3)  # over the params given
    with pytest.raises(ValueError, match=r"culture\.opennes\b.*did you mean 'culture\.openness'"):
        OrgModel(rng=1, **{"culture.opennes": 0.5})


def test_the_agents_of_a_model_without_people_warn_as_people_does() -> None:
    import warnings

    params = Params().with_updates({"org.size": 40, "steps": 2})
    bare = OrgModel(params, rng=1, agents=False)
    with pytest.warns(UserWarning, match="built with agents=False"):
        assert len(bare.agents) == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bare.run()  # running it touches no agents: no word
        assert len(OrgModel(params, rng=1).agents) == 40


def test_a_seed_by_mesa_2s_name_says_it_is_rng() -> None:
    """OrgModel(seed=3) said "seed = 3: unknown parameter; valid keys: steps, org, ..."."""
    with pytest.raises(
        TypeError, match=r"OrgModel\(seed=3\): the seed is rng= \(OrgModel\(rng=3\)\)"
    ):
        OrgModel(seed=3)
