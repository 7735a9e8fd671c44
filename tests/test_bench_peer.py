"""The Mesa peer of the benchmarks (bench/mesa_social_learning.py) runs the engine's rule.

The peer draws its own random numbers, so it is compared with ``OrgModel`` in distribution:
on the same organisation, with the same parameters, the mean final poster share over
replications agrees within four standard errors of the difference, and modeling beats
delegation in the peer as in the engine (docs/ODD.md 7.8). Its static wiring (attention
weights after the follow cap, endorsement weights, observed accounts) equals the engine's
exactly. No timing is asserted here.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from mesa_social_learning import POSTER, SocialLearningModel

from simulator import OrgModel, Params, build_org
from simulator.orgchart import Org

PEOPLE, STEPS, REPLICATIONS = 150, 20, 30
Shares = dict[str, tuple[np.ndarray, np.ndarray]]  # strategy -> (engine, peer) final shares


def params_for(strategy: str) -> Params:
    return Params().with_updates({"org.size": PEOPLE, "steps": STEPS, "leaders.strategy": strategy})


@pytest.fixture(scope="module")
def org() -> Org:
    return build_org(params_for("model").org, np.random.default_rng(7))


def engine_shares(org: Org, params: Params) -> np.ndarray:
    # one model per seed, so that each replication draws its own delegates, as the peer does
    return np.array(
        [
            OrgModel(params, rng=100 + s, org=org, agents=False).run().poster_share()
            for s in range(REPLICATIONS)
        ]
    )


def peer_shares(org: Org, params: Params) -> np.ndarray:
    shares = []
    for s in range(REPLICATIONS):
        model = SocialLearningModel(org, params, rng=5_000 + s)
        for _ in range(params.steps):
            model.step()
        shares.append(model.poster_share())
    return np.array(shares)


@pytest.fixture(scope="module")
def shares(org: Org) -> Shares:
    return {
        strategy: (engine_shares(org, params_for(strategy)), peer_shares(org, params_for(strategy)))
        for strategy in ("model", "delegate")
    }


@pytest.mark.parametrize("strategy", ["model", "delegate"])
def test_peer_matches_engine_in_distribution(shares: Shares, strategy: str) -> None:
    engine, peer = shares[strategy]
    se = np.sqrt(engine.var(ddof=1) / len(engine) + peer.var(ddof=1) / len(peer))
    diff = peer.mean() - engine.mean()
    assert abs(diff) <= 4 * se, (strategy, engine.mean(), peer.mean(), se)


def test_modeling_beats_delegation_in_peer_as_in_engine(shares: Shares) -> None:
    (engine_model, peer_model), (engine_delegate, peer_delegate) = (
        shares["model"],
        shares["delegate"],
    )
    assert engine_model.mean() > engine_delegate.mean()  # the engine's defaults (ODD 7.8)
    assert peer_model.mean() > peer_delegate.mean()


def test_peer_wiring_equals_engine(org: Org) -> None:
    params = params_for("model")
    engine = OrgModel(params, rng=1, org=org, agents=False)
    peer = SocialLearningModel(org, params, rng=1)
    index = {person: i for i, person in enumerate(peer.people)}
    n = org.n
    attention, endorse, observe = np.zeros((n, n)), np.zeros((n, n)), np.zeros((n, n))
    for i, person in enumerate(peer.people):
        for other, w in person.attends:
            attention[i, index[other]] += w
        for leader, w in person.leaders:
            endorse[i, index[leader]] += w
        for other in person.observed:
            observe[i, index[other]] += 1
    ctx = engine.context
    np.testing.assert_allclose(attention, ctx.attention.matrix().toarray(), rtol=0, atol=1e-12)
    np.testing.assert_array_equal(endorse, ctx.endorse.toarray())
    np.testing.assert_array_equal(observe, ctx.observe.toarray())


def test_peer_holds_leaders_and_delegates(org: Org) -> None:
    peer = SocialLearningModel(org, params_for("delegate"), rng=3)
    peer.step()
    delegating = [p for p in peer.people if p.role == "delegating"]
    delegates = [p for p in peer.people if p.role == "delegate"]
    assert len(delegating) == len(delegates) == int((org.is_leader & (org.level < 2)).sum())
    assert all(p.stage != POSTER for p in delegating)
    assert all(p.stage == POSTER or p.left_role for p in delegates)
    none = SocialLearningModel(org, params_for("none"), rng=3)
    assert all(p.role is None for p in none.people)
