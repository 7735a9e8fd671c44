"""The flagship mechanism: reductions to the classics, strategy outcomes, invariants."""

from __future__ import annotations

import numpy as np
import pytest
from builders import balanced_tree, path, quiet_org
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from simulator import OrgModel, Params
from simulator.engine import Engine
from simulator.orgchart import build_org
from simulator.params import OrgParams
from simulator.state import LISTENER, POSTER
from simulator.strategies import DELEGATE, MODEL, Strategies

# Settings under which social learning's posting decision is the fractional threshold rule
# (docs/ODD.md, 7.9).
THRESHOLD_REDUCTION = {
    "leaders.strategy": "none",
    "people.initial_aware": 1.0,
    "people.initial_posters": 0.0,
    "people.threshold_sd": 0.0,
    "people.explicit_initial": 1.0,
    "people.posting_rate": 1.0,
    "learning.comfort_rate": 1.0,
    "learning.culture_weight": 0.0,
    "learning.social_weight": 1.0,
    "learning.endorsement_weight": 0.0,
    "learning.engagement_weight": 0.0,
    "learning.criticism_weight": 0.0,
    "learning.explicit_weight": 1.0,
    "responses.criticism_rate": 0.0,
    "attention.prestige_step": 1.0,
    "attention.manager_weight": 1.0,
    "attention.report_weight": 1.0,
    "attention.team_weight": 1.0,
    "attention.lateral_weight": 1.0,
    "org.follow_levels": 0,
    "decisions.noise": 0.0,
    "decisions.lapse": False,
}


def stages(model: OrgModel, steps: int) -> list[np.ndarray]:
    """Stage arrays of replication 0 after 0, 1, ..., steps steps."""
    out = [model.state.stage[0].copy()]
    for _ in range(steps):
        model.step()
        out.append(model.state.stage[0].copy())
    return out


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
@pytest.mark.parametrize("phi", [0.1, 0.2, 1 / 3])
def test_posting_decision_reduces_to_fractional_threshold(seed: int, phi: float) -> None:
    org_params = OrgParams(
        size=300, span=4, units=4, lateral_within=2, lateral_across=1, follow_levels=0
    )
    org = build_org(org_params, np.random.default_rng(seed))
    sl = Params().with_updates(
        {**THRESHOLD_REDUCTION, "people.threshold_mean": phi, "people.innovators": 0.05}
    )
    social = OrgModel(sl, rng=seed, org=org, agents=False)
    innovators = social.state.innovator[0].copy()
    classic = OrgModel(
        Params().with_updates(
            {
                "leaders.strategy": "none",
                "mechanism.name": "threshold",
                "mechanism.phi": phi,
                "people.initial_aware": 0.0,
            }
        ),
        rng=seed,
        org=org,
        agents=False,
    )
    classic.state.stage[0] = np.where(innovators, POSTER, 0)
    sl_stages = stages(social, 16)
    classic_stages = stages(classic, 15)
    for t, adopted in enumerate(classic_stages):
        assert np.array_equal(sl_stages[t + 1] == POSTER, adopted == POSTER), f"step {t}"
    assert (classic_stages[-1] == POSTER).sum() > innovators.sum()  # something happened


@pytest.mark.parametrize("seed", [5, 6, 7])
def test_awareness_reduces_to_si(seed: int) -> None:
    beta = 0.2
    org = build_org(OrgParams(size=250), np.random.default_rng(seed))
    social = OrgModel(
        Params().with_updates(
            {
                "leaders.strategy": "none",
                "decisions.awareness_source": "aware",
                "decisions.broadcast": 0.0,
                "decisions.awareness_rate": beta,
                "people.initial_aware": 0.03,
            }
        ),
        rng=seed,
        org=org,
        agents=False,
    )
    si = OrgModel(
        Params().with_updates(
            {
                "leaders.strategy": "none",
                "mechanism.name": "si",
                "mechanism.beta": beta,
                "people.initial_aware": 0.0,
                "people.initial_posters": 0.03,
            }
        ),
        rng=seed,
        org=org,
        agents=False,
    )
    aware, adopted = stages(social, 12), stages(si, 12)
    for t in range(13):
        assert np.array_equal(aware[t] >= LISTENER, adopted[t] == POSTER), f"step {t}"
    counts = [int((a == POSTER).sum()) for a in adopted]
    assert counts[0] < counts[3] < 250  # a real, unfinished spread to compare


# -- strategies under the defaults (docs/ODD.md, 7.8) -------------------------------------


def paired_outcomes(
    strategies: list[str], seeds: range, updates: dict | None = None
) -> dict[str, np.ndarray]:
    """Final poster share and mean poster share over the run, per strategy and seed."""
    out: dict[str, np.ndarray] = {}
    for strategy in strategies:
        rows = []
        for seed in seeds:
            params = Params().with_updates({**(updates or {}), "leaders.strategy": strategy})
            poster = OrgModel(params, rng=seed, agents=False).run().series()["poster"]
            rows.append((poster.iloc[-1], poster.mean()))
        out[strategy] = np.array(rows)
    return out


def clearly_above(a: np.ndarray, b: np.ndarray) -> bool:
    """Paired difference a - b is positive with its 95 % confidence interval above 0."""
    d = a - b
    low = d.mean() - stats.t.ppf(0.975, len(d) - 1) * stats.sem(d)
    return bool(low > 0)


@pytest.fixture(scope="module")
def default_arms() -> dict[str, np.ndarray]:
    return paired_outcomes(["model", "delegate", "listen", "restrict", "none"], range(24))


def test_modeling_spreads_further_and_faster_than_delegation(default_arms: dict) -> None:
    model, delegate = default_arms["model"], default_arms["delegate"]
    assert clearly_above(model[:, 0], delegate[:, 0])  # further: final share
    assert clearly_above(model[:, 1], delegate[:, 1])  # faster: area under the curve
    # calibration pattern: about a third of staff posting within a year
    assert 0.2 < model[:, 0].mean() < 0.5


def test_restriction_does_worst(default_arms: dict) -> None:
    for other in ("model", "delegate", "listen", "none"):
        assert clearly_above(default_arms[other][:, 0], default_arms["restrict"][:, 0]), other


def test_delegation_beats_listening(default_arms: dict) -> None:
    assert clearly_above(default_arms["delegate"][:, 0], default_arms["listen"][:, 0])


def test_heavy_criticism_of_leaders_makes_delegation_win() -> None:
    arms = paired_outcomes(
        ["model", "delegate"], range(16), {"responses.leader_criticism_multiplier": 8.0}
    )
    assert clearly_above(arms["delegate"][:, 0], arms["model"][:, 0])


def test_silent_followed_leaders_drag_delegation_down() -> None:
    """MODEL.md: counting silent followed leaders widens the modeling-delegation gap."""
    counted = paired_outcomes(["model", "delegate"], range(10))
    ignored = paired_outcomes(
        ["model", "delegate"], range(10), {"attention.silent_leaders_count": False}
    )
    gap_counted = counted["model"][:, 0] - counted["delegate"][:, 0]
    gap_ignored = ignored["model"][:, 0] - ignored["delegate"][:, 0]
    assert gap_ignored.mean() != gap_counted.mean()
    assert clearly_above(ignored["delegate"][:, 0], counted["delegate"][:, 0])


# -- mechanics ----------------------------------------------------------------------------


def test_modeling_leaders_post_from_their_start_until_they_stop() -> None:
    params = Params().with_updates(
        {"org.size": 200, "leaders.start": 3, "leaders.stop": 8, "responses.criticism_rate": 0.0}
    )
    model = OrgModel(params, rng=3, agents=False)
    leaders = model.assignment.strategy == MODEL
    assert leaders.sum() >= 2
    for t in range(1, 12):
        model.step()
        posting = model.state.stage[0, leaders] == POSTER
        if 3 < t <= 8:
            assert posting.all(), t
        elif t <= 3:
            assert not (model.state.last_post[0, leaders] > 0).any(), t
    assert (model.state.posts[0, leaders] >= 5 * 2).all()  # 5 weeks at 2 posts a week


def test_criticised_leader_who_pulls_back_leaves_the_strategy() -> None:
    params = Params().with_updates(
        {
            "org.size": 200,
            "responses.criticism_rate": 1.0,
            "responses.pullback_rate": 1.0,
            "people.risk_aversion_mean": 0.99,
        }
    )
    model = OrgModel(params, rng=4, agents=False).run(6)
    leaders = model.assignment.strategy == MODEL
    left = model.state.left_strategy[0, leaders]
    assert left.any()
    assert (model.state.pullbacks[0, leaders][left] >= 1).all()
    # the strategy no longer holds them: they decide like everyone else from now on
    held = model.strategies.actions(model.steps + 1, model.state).held[0, leaders]
    assert (held[left] == -1).all() and (held[~left] == POSTER).all()


def test_same_seed_same_run_other_seed_other_run() -> None:
    params = Params().with_updates({"org.size": 300, "steps": 20})
    a = OrgModel(params, rng=11, agents=False).run().series()
    b = OrgModel(params, rng=11, agents=False).run().series()
    c = OrgModel(params, rng=12, agents=False).run().series()
    assert a.equals(b)
    assert not a.equals(c)


def test_network_generation_is_seeded() -> None:
    p = OrgParams(size=400)
    a, b = build_org(p, np.random.default_rng(5)), build_org(p, np.random.default_rng(5))
    c = build_org(p, np.random.default_rng(6))
    assert np.array_equal(a.manager, b.manager) and np.array_equal(a.lateral, b.lateral)
    assert np.array_equal(a.follows, b.follows)
    assert not (np.array_equal(a.lateral, c.lateral) and np.array_equal(a.follows, c.follows))


@settings(max_examples=25, deadline=None)
@given(
    strategy=st.sampled_from(["model", "delegate", "listen", "restrict", "none"]),
    openness=st.floats(0, 1),
    noise=st.sampled_from([0.0, 0.02, 0.5]),
    criticism=st.floats(0, 1),
    mode=st.sampled_from(["report", "comms_team"]),
    silent=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_state_stays_in_bounds(
    strategy: str,
    openness: float,
    noise: float,
    criticism: float,
    mode: str,
    silent: bool,
    seed: int,
) -> None:
    params = Params().with_updates(
        {
            "org.size": 120,
            "steps": 15,
            "leaders.strategy": strategy,
            "culture.openness": openness,
            "decisions.noise": noise,
            "responses.criticism_rate": criticism,
            "delegation.mode": mode,
            "delegation.comms_team_size": 5,
            "attention.silent_leaders_count": silent,
            "people.initial_aware": 0.3,
        }
    )
    model = OrgModel(params, rng=seed, agents=False).run()
    s = model.state
    for name in ("comfort", "explicit", "tacit"):
        value = getattr(s, name)
        assert ((value >= 0) & (value <= 1)).all(), name
    series = model.series()
    assert np.allclose(series[["non_user", "listener", "poster"]].sum(axis=1), 1.0)
    assert (series[["posts", "criticised", "lapses", "pullbacks"]] >= 0).all().all()
    adopted = series.filter(like="adopted_").to_numpy().sum()
    ever = (s.adopted_at[0] > 0).sum()
    assert adopted >= ever  # every first adoption after the start was counted


@settings(max_examples=15, deadline=None)
@given(
    rules=st.lists(
        st.tuples(
            st.sampled_from(["model", "delegate", "restrict", "listen"]),
            st.integers(0, 2),
            st.integers(0, 6),
            st.one_of(st.none(), st.integers(1, 6)),
        ),
        min_size=1,
        max_size=3,
    ),
    leave_at=st.integers(1, 12),
)
def test_reused_actions_equal_the_actions_worked_out_afresh(
    rules: list[tuple[str, int, int, int | None]], leave_at: int
) -> None:
    """Step by step, the actions a model reuses between schedule turns are the ones worked
    out from scratch for that step (schedules starting and stopping, memos, a leader
    leaving their role)."""
    params = Params().with_updates(
        {
            "org.size": 60,
            "leaders.rules": [
                {
                    "who": f"levels={level}-{level}",
                    "strategy": strategy,
                    "start": start,
                    "stop": None if length is None else start + length,
                }
                for strategy, level, start, length in rules
            ],
        }
    )
    model = OrgModel(params, rng=[1, 2], agents=False)
    leaders = np.flatnonzero(model.strategies.has_strategy)
    for t in range(1, 13):
        if t == leave_at and len(leaders):
            model.state.left_strategy[1, leaders[0]] = True
        fresh = Strategies(model.org, params, model.assignment)
        got, want = model.strategies.actions(t, model.state), fresh.actions(t, model.state)
        for name in ("held", "rate", "restricted", "memo", "delegating"):
            np.testing.assert_array_equal(getattr(got, name), getattr(want, name), err_msg=name)


# -- delegation: the accounts and posts it holds fixed (ODD 2, Delegates) -------------------
def tree_engine(updates: dict[str, object], manager: np.ndarray | None = None) -> Engine:
    """A full tree of span 3 and depth 3 (1 + 3 + 9 leaders over 27 front-line people)."""
    params = Params().with_updates({"steps": 8, **updates})
    org = quiet_org(balanced_tree(3, 3) if manager is None else manager)
    return Engine(params, rng=1, org=org)


@pytest.mark.parametrize(("follow_levels", "followed"), [(2, 4), (1, 1), (0, 0)])
def test_only_the_top_leaders_delegates_are_followed_in_their_place(
    follow_levels: int, followed: int
) -> None:
    """With the follow layer on levels 0-1 (4 leaders), delegates stand in for those 4
    followed accounts, not for all 13 delegating leaders (whose 9 on level 2 nobody follows
    when they model); with no follow layer (0 levels), for none. Every delegate was followed:
    delegation had 45 followed posting accounts against modeling's 7 at leaders.levels = 3,
    and 2,053 follow ties against none with org.follow_levels = 0 (1,000 people)."""
    engine = tree_engine(
        {
            "leaders.strategy": "delegate",
            "leaders.levels": 3,
            "org.follow_levels": follow_levels,
            "org.follow_prob": 1.0,
        }
    )
    a, org = engine.assignment, engine.org
    assert (a.strategy == DELEGATE).sum() == 13 and a.is_delegate.sum() == 13
    leader = np.repeat(np.arange(org.n), np.diff(a.delegates.indptr))
    top = set(a.delegates.indices[org.level[leader] < follow_levels].tolist())
    accounts = set(a.follows[:, 1].tolist())
    assert accounts == top and len(accounts) == followed
    assert len(a.follows) == followed * (org.n - 1)  # everyone follows each (prob 1)


def test_a_comms_team_posts_what_the_leaders_acting_that_week_would() -> None:
    """The top leader delegates from week 1 at 2 posts a week, the three executives from
    week 6 at 3 each; a team of 4 shares 2 posts a week, then 2 + 9 = 11. It posted 11 from
    week 1 (every delegating leader's rate, whatever their schedules)."""
    engine = tree_engine(
        {
            "delegation.mode": "comms_team",
            "delegation.comms_team_size": 4,
            "leaders.rules": [
                {"who": "level=0", "strategy": "delegate", "rate": 2.0},
                {"who": "level=1", "strategy": "delegate", "rate": 3.0, "start": 5},
            ],
        }
    )
    team = engine.assignment.is_delegate
    assert team.sum() == 4
    for week, each in [(1, 2 / 4), (5, 2 / 4), (6, 11 / 4), (8, 11 / 4)]:
        rate = engine.strategies.actions(week, engine.state).rate[0]
        assert rate[team].tolist() == [each] * 4, week


def test_a_delegating_leader_with_no_one_to_appoint_is_said() -> None:
    """In a chain of 10 whose 9 leaders all delegate, only the last person is free: 8
    leaders got no delegate and their posts were silently not made."""
    with pytest.warns(UserWarning, match="some delegating leaders have no one below them"):
        engine = tree_engine({"leaders.strategy": "delegate", "leaders.levels": 9}, path(10))
    assert engine.assignment.is_delegate.sum() == 1
