"""The contract every registered mechanism keeps (STYLE 3).

Reproducible from a seed and different under another seed; no global randomness; a batch of
replications equals the replications run one by one; equal to a plain per-agent oracle
(classic rules; the social-learning oracle lives with its own tests); monotone where the
rule says it must be.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pytest
from builders import ever_adopted, make_model, params, random_org
from oracles import CLASSICS, oracle_step

from simulator.mechanisms import REGISTRY
from simulator.model import OrgModel
from simulator.params import MECHANISM_PARAMS, Params
from simulator.state import State
from simulator.strategies import Actions

NAMES = sorted(REGISTRY)

# parameters under which every rule moves within a few steps
LIVELY: dict[str, dict[str, Any]] = {
    "social_learning": {},
    "independent_cascade": {"mechanism.p": 0.3},
    "si": {"mechanism.beta": 0.15},
    "threshold": {"mechanism.phi": 0.2, "mechanism.phi_sd": 0.1},
    "linear_threshold": {},
    "bass": {"mechanism.p": 0.03, "mechanism.q": 0.4},
    "abandonment": {"mechanism.beta": 0.2, "mechanism.p": 0.01, "mechanism.delta": 0.2},
}


def lively(name: str, updates: Mapping[str, Any] | None = None) -> Params:
    base = {"mechanism.name": name, "people.initial_posters": 0.05, "steps": 12}
    return Params().with_updates({**base, **LIVELY[name], **(updates or {})})


def same_run(a: OrgModel, b: OrgModel) -> None:
    pd.testing.assert_frame_equal(a.series(), b.series())
    np.testing.assert_array_equal(a.state.stage, b.state.stage)
    np.testing.assert_array_equal(a.state.adopted_at, b.state.adopted_at)


def test_every_mechanism_is_covered() -> None:
    assert set(LIVELY) == set(REGISTRY)
    assert set(CLASSICS) | {"social_learning"} == set(REGISTRY)
    assert set(ORACLE_VARIANTS) == set(CLASSICS)
    # every mechanism has its parameters' section, in the registry's order: the command
    # line offers the names of MECHANISM_PARAMS, without importing the mechanisms
    assert list(MECHANISM_PARAMS) == list(REGISTRY)


# --- (a) reproducible -------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_run_other_seed_other_run(name: str) -> None:
    p = lively(name, {"org.size": 300})
    first = OrgModel(p, rng=11, agents=False).run()
    again = OrgModel(p, rng=11, agents=False).run()
    same_run(first, again)
    other = OrgModel(p, rng=12, agents=False).run()  # another org and other draws
    assert not first.series().equals(other.series())
    # on the same organisation only the people and the dynamics differ
    on_org = OrgModel(p, rng=12, org=first.org, agents=False).run()
    assert not (first.state.adopted_at == on_org.state.adopted_at).all()
    assert not first.series()["poster"].equals(on_org.series()["poster"])


# --- (b) no global randomness -----------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_no_global_randomness(name: str) -> None:
    p = lively(name, {"org.size": 150})
    runs = []
    for global_seed in (0, 1):
        np.random.seed(global_seed)  # noqa: NPY002 (the global state is the point)
        random.seed(global_seed)
        np.random.random(17)  # noqa: NPY002 (consume some of the global streams)
        random.random()
        numpy_before, python_before = np.random.get_state(), random.getstate()  # noqa: NPY002
        runs.append(OrgModel(p, rng=5).run())  # with Mesa agents
        # the model neither reads nor advances the global streams
        numpy_after = np.random.get_state()  # noqa: NPY002
        assert numpy_after[0] == numpy_before[0]
        np.testing.assert_array_equal(numpy_after[1], numpy_before[1])
        assert numpy_after[2:] == numpy_before[2:]
        assert random.getstate() == python_before
    same_run(*runs)


# --- (c) oracle agreement ---------------------------------------------------------------

ORACLE_VARIANTS: dict[str, list[dict[str, Any]]] = {
    "independent_cascade": [{"mechanism.p": 0.3}, {"mechanism.p": 0.8}],
    "si": [{"mechanism.beta": 0.15}],
    "threshold": [
        {"mechanism.phi": 0.2, "mechanism.phi_sd": 0.1},
        {"mechanism.phi": 0.25},
        {"mechanism.rule": "absolute", "mechanism.k": 2},
    ],
    "linear_threshold": [{"mechanism.weights": "uniform"}, {"mechanism.weights": "attention"}],
    "bass": [{"mechanism.p": 0.03, "mechanism.q": 0.4}],
    "abandonment": [
        {"mechanism.beta": 0.25, "mechanism.p": 0.02, "mechanism.delta": 0.3},
        {"mechanism.beta": 0.5, "mechanism.p": 0.0, "mechanism.delta": 0.1},
    ],
}

# (org size, org seed, leaders' strategy): holds that start and stop inside the run
ORACLE_ORGS: list[tuple[int, int, dict[str, Any]]] = [
    (30, 1, {"leaders.strategy": "none"}),
    (45, 2, {"leaders.strategy": "model", "leaders.stop": 4}),
    (60, 3, {"leaders.strategy": "restrict", "leaders.start": 2, "leaders.stop": 6}),
    (50, 4, {"leaders.strategy": "delegate", "leaders.start": 1, "leaders.stop": 8}),
]


class Spy:
    """Wraps a mechanism's ``step`` to keep a copy of what it was given."""

    def __init__(self, model: OrgModel) -> None:
        self.inner = model.mechanism.step
        self.calls: list[tuple[State, Actions, dict[str, np.ndarray], int]] = []
        model.mechanism.step = self  # type: ignore[method-assign]

    def __call__(self, state: State, actions: Actions, u: Mapping[str, np.ndarray], t: int) -> Any:
        self.calls.append((state.copy(), actions, {k: v.copy() for k, v in u.items()}, t))
        return self.inner(state, actions, u, t)


@pytest.mark.parametrize(
    "org_case", ORACLE_ORGS, ids=lambda c: f"n{c[0]}-{c[2]['leaders.strategy']}"
)
@pytest.mark.parametrize("name", [n for n in NAMES if n != "social_learning"])
def test_equals_the_per_agent_oracle(name: str, org_case: tuple[int, int, dict]) -> None:
    """Classic rules; social learning's oracle lives in test_sl_oracle.py."""
    size, org_seed, strategy = org_case
    org = random_org(size, org_seed)
    for variant in ORACLE_VARIANTS[name]:
        updates = {"people.initial_posters": 0.1, "people.initial_aware": 0.2}
        p = Params().with_updates({"mechanism.name": name, **updates, **strategy, **variant})
        model = OrgModel(p, rng=[org_seed, 100 + org_seed], org=org, agents=False)
        spy = Spy(model)
        changes = 0
        for step in range(1, 11):
            model.step()
            before, actions, u, t = spy.calls[-1]
            assert t == step
            assert set(u) == set(model.mechanism.slots)
            for r in range(2):
                want = oracle_step(name, model.context, before, actions, u, t, r)
                label = f"{variant} step {t} replication {r}"
                np.testing.assert_array_equal(model.state.stage[r], want.stage, err_msg=label)
                np.testing.assert_array_equal(model.state.adopted_at[r], want.adopted_at, label)
                np.testing.assert_array_equal(model.state.posts[r], want.posts, label)
                np.testing.assert_array_equal(model.state.source[r], want.source, label)
                for key, value in want.extra.items():
                    np.testing.assert_array_equal(model.state.extra[key][r], value, label)
                changes += int((want.stage != before.stage[r]).sum())
        assert changes > 0, f"{variant}: nothing happened, the comparison proves little"


# --- (d) a batch equals the runs one by one ---------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_batch_equals_runs_one_by_one(name: str) -> None:
    p = lively(name, {"org.size": 200, "leaders.stop": 6})
    org = random_org(200, 7)
    seeds = [21, 22, 23]
    batch = OrgModel(p, rng=seeds, org=org, agents=False).run()
    frame = batch.series()
    for r, seed in enumerate(seeds):
        alone = OrgModel(p, rng=seed, org=org, agents=False).run()
        mine = frame[frame["replication"] == r].drop(columns="replication").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone.series().drop(columns="replication"))
        for key in ("stage", "adopted_at", "posts", "threshold", "comfort", "source"):
            np.testing.assert_array_equal(
                getattr(batch.state, key)[r], getattr(alone.state, key)[0], err_msg=key
            )
    posters = [frame[frame["replication"] == r]["poster"].to_numpy() for r in range(2)]
    assert not np.array_equal(*posters)  # the replications are not copies of each other


# --- (e) monotone where the rule says so ------------------------------------------------

MONO_SEEDS = list(range(30))


def final_shares(name: str, updates: Mapping[str, Any], org: Any, steps: int) -> np.ndarray:
    """Share ever adopted after ``steps`` steps, per seed of :data:`MONO_SEEDS`."""
    model = make_model(params(name, updates), org, MONO_SEEDS)
    return ever_adopted(model.run(steps))


# (mechanism, fixed parameters, varied parameter, increasing values, direction, pathwise):
# pathwise cases hold seed by seed (common draws make the larger run a superset); the
# others hold for the mean over the seeds (one chance per adopter breaks the coupling).
MONOTONE: list[tuple[str, dict[str, Any], str, list[Any], int, bool]] = [
    ("si", {"mechanism.beta": 0.05}, "people.initial_posters", [0.005, 0.02, 0.08], +1, True),
    ("si", {"people.initial_posters": 0.01}, "mechanism.beta", [0.01, 0.04, 0.1], +1, True),
    ("bass", {"mechanism.q": 0.2}, "mechanism.p", [0.0, 0.01, 0.04], +1, True),
    ("bass", {"mechanism.p": 0.005}, "mechanism.q", [0.0, 0.3, 0.9], +1, True),
    ("bass", {}, "people.initial_posters", [0.0, 0.02, 0.08], +1, True),
    (
        "independent_cascade",
        {"people.initial_posters": 0.02},
        "mechanism.p",
        [0.05, 0.15, 0.4],
        +1,
        False,
    ),
    (
        "independent_cascade",
        {"mechanism.p": 0.2},
        "people.initial_posters",
        [0.005, 0.02, 0.08],
        +1,
        False,
    ),
    (
        "abandonment",
        {"people.initial_posters": 0.02, "mechanism.delta": 0.2},
        "mechanism.beta",
        [0.02, 0.1, 0.3],
        +1,
        False,
    ),
    (
        "threshold",
        {"people.initial_posters": 0.05},
        "mechanism.phi",
        [0.1, 0.2, 0.25, 0.3, 0.4, 0.5],
        -1,
        True,
    ),
    (
        "threshold",
        {"people.initial_posters": 0.05, "mechanism.phi_sd": 0.15},
        "mechanism.phi",
        [0.1, 0.2, 0.3, 0.35, 0.4, 0.5],
        -1,
        True,
    ),
    (
        "threshold",
        {"people.initial_posters": 0.03, "mechanism.rule": "absolute"},
        "mechanism.k",
        [0, 1, 2, 3],
        -1,
        True,
    ),
    (
        "threshold",
        {"mechanism.phi": 0.3},
        "people.initial_posters",
        [0.02, 0.06, 0.15, 0.3],
        +1,
        True,
    ),
    ("linear_threshold", {}, "people.initial_posters", [0.01, 0.05, 0.15], +1, True),
]


def test_every_classic_has_a_monotone_law() -> None:
    assert {case[0] for case in MONOTONE} == set(CLASSICS)


@pytest.mark.parametrize(
    ("name", "fixed", "varied", "values", "direction", "pathwise"),
    MONOTONE,
    ids=[f"{c[0]}-{c[2]}-{'+'.join(str(v) for v in c[1].values())}" for c in MONOTONE],
)
def test_monotone(
    name: str,
    fixed: dict[str, Any],
    varied: str,
    values: list[Any],
    direction: int,
    pathwise: bool,
) -> None:
    org = random_org(200, 9)
    shares = [final_shares(name, {**fixed, varied: v}, org, 15) for v in values]
    for low, high in itertools.pairwise(shares):
        if pathwise:
            assert (direction * (high - low) >= 0).all()
        assert direction * (high.mean() - low.mean()) >= 0
    # the law is not vacuous: the extremes differ
    assert shares[0].mean() != shares[-1].mean()
