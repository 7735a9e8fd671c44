"""The people table (``[record] people = true``): a row per person and run, with the first
week each was a listener and a poster, written before the outcomes, read lazily, exported."""

from __future__ import annotations

import dataclasses
import json
import tomllib
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from builders import paired_scenario, quiet_org, star

from simulator.engine import Engine
from simulator.export import ExportError, export, export_tables
from simulator.mechanisms import social_learning
from simulator.params import Params
from simulator.people import COLUMNS, NO_REPORTS, frame
from simulator.results import compare, load
from simulator.scenario import Plan, load_scenario, parse_scenario
from simulator.state import LISTENER, POSTER
from simulator.sweep import Organisations, run, sweep

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
TEXT = paired_scenario("people", seed=11, replications=2, steps=8, size=40)
WITH_PEOPLE = TEXT.replace("[params]", "[record]\npeople = true\n\n[params]")


def plan_of(text: str = WITH_PEOPLE) -> Plan:
    return parse_scenario(tomllib.loads(text))[1]


def first_weeks(history: list[np.ndarray], at: int) -> np.ndarray:
    """The oracle: from each week's stages ``(R, n)`` (week 0 first), the first week each
    person was at stage ``at`` or beyond; NaN if never."""
    reached = np.stack(history) >= at  # (weeks + 1, R, n)
    return np.where(reached.any(axis=0), np.argmax(reached, axis=0), np.nan)


# -- who the people are, and when they start: worked on paper ---------------------------------
def test_a_modeling_boss_of_a_quiet_star_posts_from_week_one() -> None:
    """Person 0 leads four reports and no one else is tied: under ``model`` they are held a
    poster from week 1 (their strategy acts from week start + 1); nobody starts aware, no
    one is an innovator."""
    params = Params().with_updates(
        {
            "steps": 3,
            "leaders.strategy": "model",
            "people.innovators": 0.0,
            "people.initial_posters": 0.0,
            "people.initial_aware": 0.0,
        }
    )
    engine = Engine(params, rng=[1, 2], org=quiet_org(star(5)))
    engine.recorder.follow(engine.state)
    for _ in range(3):
        engine.step()
    table = frame(engine)
    assert list(table.columns) == ["replication", *COLUMNS]
    assert len(table) == 2 * 5
    boss = table[table["person"] == 0]
    assert (boss["first_poster"] == 1).all() and (boss["first_listener"] == 1).all()
    assert (boss["final_stage"] == "poster").all() and (boss["source"] == "assigned").all()
    assert (boss["role"] == "top").all() and (boss["strategy"] == "model").all()
    assert (boss["reports"] == 4).all() and boss["is_leader"].all()
    assert (boss["manager"] == -1).all() and (boss["id"] == "0").all()
    staff = table[table["person"] > 0]
    assert (staff["role"] == NO_REPORTS).all() and (staff["strategy"] == "none").all()
    # (labelled, not empty: a groupby by role keeps them; it dropped an empty role)
    assert table.groupby("role").size().to_dict() == {"top": 2, NO_REPORTS: 8}
    assert (staff["reports"] == 0).all() and not staff["is_leader"].any()
    assert (staff["manager"] == 0).all() and not staff["delegate"].any()
    assert list(staff["id"][:4]) == ["1", "2", "3", "4"]
    never = staff["first_poster"].isna()  # (those who did not post have no source)
    assert staff.loc[never, "source"].isna().all()
    assert staff.loc[never, "final_stage"].ne("poster").all()


def test_a_poster_pulling_back_within_the_week_has_a_source_and_no_first_poster() -> None:
    """Every post criticised and every criticised poster pulling back: leaders held as
    posters (``model``) adopt, with source ``assigned``, and are listeners again by the
    week's end, so no week ends with them posting. The column's documentation says so (it
    had said the source is empty for anyone who never posted)."""
    params = Params().with_updates(
        {
            "org.size": 150,
            "steps": 8,
            "leaders.strategy": "model",
            "responses.criticism_rate": 1.0,
            "responses.pullback_rate": 1.0,
        }
    )
    engine = Engine(params, rng=[5, 6])
    engine.recorder.follow(engine.state)
    for _ in range(8):
        engine.step()
    table = frame(engine)
    lapsed = table[table["source"].notna() & table["first_poster"].isna()]
    assert len(lapsed) > 0 and (lapsed["source"] == "assigned").all()
    assert table.loc[table["source"].isna(), "first_poster"].isna().all()
    said = COLUMNS["source"][1]
    assert "set even for one that lapsed before the week's end" in said
    assert said.endswith("empty if they never adopted")
    odd = (Path(__file__).resolve().parent.parent / "docs" / "ODD.md").read_text("utf-8")
    assert "set even for one that lapsed before the week's end" in " ".join(odd.split())


def test_first_weeks_are_the_weeks_seen_stepping_by_hand() -> None:
    """Stepped week by week, the first weeks are those read off each week's stages."""
    params = Params().with_updates({"org.size": 150, "steps": 20, "leaders.strategy": "model"})
    engine = Engine(params, rng=[5, 6, 7])
    first = engine.recorder.follow(engine.state)
    history = [engine.state.stage.copy()]
    for _ in range(20):
        engine.step()
        history.append(engine.state.stage.copy())
    table = frame(engine)
    for name, at in (("first_listener", LISTENER), ("first_poster", POSTER)):
        expected = first_weeks(history, at).ravel()
        np.testing.assert_array_equal(table[name].to_numpy(), expected)
        assert 0 < np.isnan(expected).sum() < expected.size  # (some never, some did)
    posted = first.poster >= 0  # (a poster was a listener by then: both stages reached)
    assert (first.listener[posted] >= 0).all()
    assert (first.poster[posted] >= first.listener[posted]).all()
    assert (table["first_poster"] > 0).any()  # (people adopted during the run)
    np.testing.assert_array_equal(
        table["final_stage"].map({"non_user": 0, "listener": 1, "poster": 2}),
        history[-1].ravel(),
    )


@pytest.mark.parametrize(
    ("seeds", "mechanism"),
    [([5], "social_learning"), ([5, 6, 7], "social_learning"), (list(range(16)), "social_learning"),
     ([5, 6], "threaded"), ([5, 6], "threshold")],
    ids=["single", "batch", "across", "threaded", "python"],
)  # fmt: skip
def test_weeks_run_at_once_give_the_first_weeks_of_stepping_week_by_week(
    seeds: list[int], mechanism: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``Engine.run`` hands the weeks under the same actions to the mechanism at once: the
    compiled kernel runs and records them in one call (a batch of 16 learning across its
    replications, ``learn_across``), marking each week's first listeners and posters at the
    week's end. The first weeks are those of the same run stepped week by week and those
    read off each week's stages, at 1,000 people (they had been seen at the end of each
    call: a week late, or never for one who posted only within it). A threaded week (from
    ``THREADED_FROM`` people) and a Python mechanism run one week a call: the same."""
    updates = {"org.size": 1000, "steps": 20, "leaders.strategy": "model"}
    if mechanism == "threshold":
        updates["mechanism.name"] = "threshold"
    elif mechanism == "threaded":
        monkeypatch.setattr(social_learning, "THREADED_FROM", 500)
        monkeypatch.setattr(social_learning, "_threads", 2)
    params = Params().with_updates(updates)
    by_hand, at_once = Engine(params, rng=seeds), Engine(params, rng=seeds)
    exact, seen = by_hand.recorder.follow(by_hand.state), at_once.recorder.follow(at_once.state)
    history = [by_hand.state.stage.copy()]
    for _ in range(20):
        by_hand.step()
        history.append(by_hand.state.stage.copy())
    at_once.run()
    np.testing.assert_array_equal(by_hand.state.stage, at_once.state.stage)  # (same run)
    calls = len(at_once.recorder.rows["stages"]) - 1  # (a record of each call after week 0)
    assert calls == 20 if mechanism in ("threaded", "threshold") else calls < 5
    for first, oracle in ((seen.listener, exact.listener), (seen.poster, exact.poster)):
        np.testing.assert_array_equal(first, oracle)
    for first, at in ((seen.listener, LISTENER), (seen.poster, POSTER)):
        expected = first_weeks(history, at)
        np.testing.assert_array_equal(np.where(first >= 0, first, np.nan), expected)
        assert ((expected > 1) & (expected < 20)).any()  # (people start mid-run)
    table = frame(at_once)
    np.testing.assert_array_equal(table["first_poster"], first_weeks(history, POSTER).ravel())


def test_a_sweeps_rows_are_its_runs_stepped_by_hand(monkeypatch: pytest.MonkeyPatch) -> None:
    """A sweep's run with people runs its weeks as one without (several in a kernel call):
    its rows are the first weeks of the same run stepped by hand; its outcomes and series
    are those of the run without people, bit for bit."""
    spec = next(s for s in plan_of().runs() if s.arm == "model" and s.replication == 1)
    handed: list[int] = []
    run_weeks = social_learning.SocialLearning.run_weeks

    def counted(self: social_learning.SocialLearning, *args: Any) -> int:
        handed.append(args[4])  # (state, actions, u, t, weeks, recorder)
        return run_weeks(self, *args)

    with monkeypatch.context() as patch:
        patch.setattr(social_learning.SocialLearning, "run_weeks", counted)
        result = run(spec)
    assert result.ok, result.error
    assert max(handed) > 1  # (weeks at once, not week by week)
    engine = Organisations().engine([spec])
    history = [engine.state.stage.copy()]
    for _ in range(spec.params.steps):
        engine.step()
        history.append(engine.state.stage.copy())
    people = result.people
    assert people is not None and len(people) == 40
    np.testing.assert_array_equal(people["first_poster"], first_weeks(history, POSTER)[0])
    np.testing.assert_array_equal(people["first_listener"], first_weeks(history, LISTENER)[0])
    plain = run(dataclasses.replace(spec, people=False))
    assert plain.people is None
    assert pd.Series(plain.outcomes).equals(pd.Series(result.outcomes))  # (NaN: NaN)
    assert plain.series is not None and result.series is not None
    pd.testing.assert_frame_equal(plain.series, result.series, check_exact=True)


# -- the folder --------------------------------------------------------------------------------
def test_the_same_seed_gives_the_same_table_with_one_or_two_workers(tmp_path: Path) -> None:
    plan = plan_of()
    sweep(plan, tmp_path / "one", workers=1)
    sweep(plan, tmp_path / "two", workers=2)
    one, two = load(tmp_path / "one"), load(tmp_path / "two")
    assert len(one.people) == plan.run_count * 40
    files = {  # a people file beside each outcomes file, by arm: written with it
        table: {
            p.relative_to(tmp_path / "one" / table) for p in (tmp_path / "one" / table).glob("*/*")
        }
        for table in ("people", "outcomes")
    }
    assert files["people"] == files["outcomes"] and len(files["people"]) >= 2
    pd.testing.assert_frame_equal(
        one.people.drop(columns="attempt"), two.people.drop(columns="attempt"), check_exact=True
    )
    diff = compare(tmp_path / "one", tmp_path / "two")
    assert diff.identical and "people" in diff.lines()[0]
    # each run's rows: its 40 people once, in order, of the run's finished attempt
    runs = one.people.groupby(["point", "arm", "replication"])["person"]
    assert runs.apply(lambda p: list(p) == list(range(40))).all()
    assert len(runs) == plan.run_count
    # the first weeks agree with the outcomes: the posters at the horizon
    final = one.people.groupby(["point", "arm", "replication"])["final_stage"].apply(
        lambda s: (s == "poster").mean()
    )
    outcomes = one.outcomes.set_index(["point", "arm", "replication"])["poster"]
    np.testing.assert_allclose(final.sort_index(), outcomes.sort_index())


def test_without_people_no_table_is_written_and_digests_stay(tmp_path: Path) -> None:
    _, flagship = load_scenario(SCENARIOS / "modeling_vs_delegation.toml")
    assert "people" not in flagship.resolved()["record"]
    assert flagship.digest() == "8428042d335cc973747cd5ecfff37ce9178717f3c2d07de2f6288104b8e025e8"
    off = TEXT.replace("[params]", "[record]\npeople = false\n\n[params]")
    assert plan_of(off).digest() == plan_of(TEXT).digest() != plan_of().digest()
    assert plan_of().resolved()["record"]["people"] is True
    sweep(plan_of(TEXT), tmp_path / "r", workers=1)
    assert not (tmp_path / "r" / "people").exists()
    results = load(tmp_path / "r")
    assert results.people.empty and {"point", "arm", "person"} <= set(results.people.columns)
    assert "people" not in export_tables(results)
    with pytest.raises(ExportError, match=r"tables = 'people': not in this folder"):
        export_tables(results, "people")


def test_a_lost_people_file_is_run_again_on_resume(tmp_path: Path) -> None:
    plan = plan_of()
    sweep(plan, tmp_path / "whole", workers=1)
    sweep(plan, tmp_path / "r", workers=1)
    lost = sorted((tmp_path / "r" / "people" / "arm=model").glob("*.parquet"))[0]
    runs = len(pd.read_parquet(tmp_path / "r" / "outcomes" / "arm=model" / lost.name))
    lost.unlink()
    lines = rf"{runs} finished run\(s\) lost their series, levels or people file"
    with pytest.warns(UserWarning, match=lines):
        summary = sweep(plan, tmp_path / "r", workers=1)
    assert summary.done == runs
    assert compare(tmp_path / "whole", tmp_path / "r").identical
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert sweep(plan, tmp_path / "r", workers=1).done == 0  # whole again


def test_export_writes_the_people_with_their_units(tmp_path: Path) -> None:
    sweep(plan_of(), tmp_path / "r", workers=1)
    written = export(tmp_path / "r", fmt="csv")
    assert tmp_path / "r" / "export" / "people.csv" in written
    people = pd.read_csv(tmp_path / "r" / "export" / "people.csv")
    lead = ["point", "arm", "replication", "seed", "culture.openness", "person"]
    assert list(people.columns) == [*lead, *[c for c in COLUMNS if c != "person"]]
    assert len(people) == plan_of().run_count * 40
    assert list(people["arm"].unique()) == ["model", "delegate"]  # (the scenario's order)
    readme = (tmp_path / "r" / "export" / "README.txt").read_text()
    assert "people.csv: one row per finished run and person" in readme
    assert "first week at whose end the person was a poster" in readme
    line = next(x for x in readme.splitlines() if x.strip().startswith("first_poster"))
    assert line.endswith("[weeks]")
    parquet = export(tmp_path / "r", "people", fmt="parquet", out=tmp_path / "p")
    again = pd.read_parquet(parquet[0])
    assert len(again) == len(people) and again["first_poster"].isna().sum() == (
        people["first_poster"].isna().sum()
    )
    manifest = json.loads((tmp_path / "r" / "manifest.json").read_text())
    assert manifest["scenario"]["record"]["people"] is True


def test_on_an_org_chart_the_rows_carry_its_ids_and_units(tmp_path: Path) -> None:
    """A chart of five: the boss, two heads of unit and a report under each."""
    (tmp_path / "org.csv").write_text(
        "id,manager_id,unit\nboss,,Top\nann,boss,Sales\nbob,boss,Ops\ncat,ann,Sales\ndan,bob,Ops\n"
    )
    (tmp_path / "s.toml").write_text(
        '[scenario]\nname = "chart"\nseed = 3\nreplications = 2\nsteps = 4\n'
        'org_csv = "org.csv"\n\n[record]\npeople = true\n\n'
        '[arms.model]\nleaders.strategy = "model"\n'
    )
    _, plan = load_scenario(tmp_path / "s.toml")
    sweep(plan, tmp_path / "r", workers=1)
    people = load(tmp_path / "r").people
    first = people[people["replication"] == 0].set_index("id")
    assert list(first.index) == ["boss", "ann", "bob", "cat", "dan"]
    assert list(first["unit"]) == ["Top", "Sales", "Ops", "Sales", "Ops"]
    assert list(first["manager"]) == [-1, 0, 0, 1, 2]
    assert list(first["reports"]) == [2, 1, 1, 0, 0]
    assert list(first["role"]) == ["top", "executive", "executive", NO_REPORTS, NO_REPORTS]
    assert list(first["strategy"]) == ["model", "model", "model", "none", "none"]
    assert (first.loc[["boss", "ann", "bob"], "first_poster"] == 1).all()
