"""The vectorised ``social_learning`` step agrees with the per-person oracle, week by week.

Each case builds a small organisation, then replays 12-20 weeks: before each week the state is
copied, the week's strategy actions and uniform draws are taken exactly as
:meth:`simulator.model.OrgModel.step` takes them, the vectorised mechanism advances the model,
and the oracle (:mod:`sl_oracle`, written from docs/ODD.md) advances the copy from the same
draws and from *its own* actions (:func:`sl_oracle.oracle_actions`, the strategy table), after
checking that they are the code's. Every action, state field and event count must agree
(integers exactly, floats to 1e-12). The oracle restarts each week from the model's state, so
a mismatch is reported at the week and for the people where it first arises.

Where the ODD leaves a detail open the oracle states its reading (:mod:`sl_oracle`); the
``delegate-top-leader`` case exercises the one about follows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pytest
from sl_oracle import (
    DELEGATE,
    MODEL,
    OracleActions,
    endorsement,
    network,
    oracle_actions,
    oracle_step,
    top_leader_follows,
)

from simulator import OrgModel, Params
from simulator.mechanisms.base import Events
from simulator.mechanisms.social_learning import SocialLearning
from simulator.state import NON_USER, POSTER, SOURCES, State
from simulator.strategies import Actions

RICH = {
    "org.span": 3,
    "org.units": 3,
    "org.lateral_within": 1.0,
    "org.lateral_across": 0.5,
    "org.follow_prob": 0.4,
    "people.initial_aware": 0.5,
    "people.initial_posters": 0.1,
    "people.innovators": 0.1,
}
"""Small organisations with richer initial stages, so that every transition happens."""

CRITICAL = {"responses.criticism_rate": 0.15, "responses.leader_criticism_multiplier": 4.0}
"""Enough criticism for pull-backs (of leaders too) within a few weeks."""


@dataclass(frozen=True)
class Case:
    updates: dict[str, Any]
    size: int = 40
    weeks: int = 16
    seeds: tuple[int, ...] = (1, 2)


def delegation(mode: str, followed: bool, **more: Any) -> dict[str, Any]:
    out = {"leaders.strategy": "delegate", "delegation.mode": mode, "delegation.followed": followed}
    if mode == "comms_team":
        out["delegation.comms_team_size"] = 3
    return {**CRITICAL, **out, **more}


CASES: dict[str, Case] = {
    "model": Case(CRITICAL, size=60, seeds=(1, 2, 3)),
    "model-noise0": Case({**CRITICAL, "decisions.noise": 0.0}, size=50, seeds=(1, 2, 3)),
    "model-noise0.1-no-hysteresis": Case(
        {**CRITICAL, "decisions.noise": 0.1, "decisions.hysteresis": 0.0}
    ),
    "model-silent-off": Case({**CRITICAL, "attention.silent_leaders_count": False}, size=60),
    "model-aware-source": Case(
        {**CRITICAL, "decisions.awareness_source": "aware", "people.initial_aware": 0.1},
        size=50,
    ),
    "model-no-lapse-restrictive": Case(
        {
            **CRITICAL,
            "decisions.lapse": False,
            "culture.policy": "restrictive",
            "culture.openness": 0.3,
        }
    ),
    "model-open-policy-fractional-rates": Case(
        {
            **CRITICAL,
            "culture.policy": "open",
            "culture.openness": 0.8,
            "leaders.rate": 2.5,
            "people.posting_rate": 1.3,
            "attention.follow_cap": 0.1,
        }
    ),
    "model-start-stop": Case({**CRITICAL, "leaders.start": 2, "leaders.stop": 9}, weeks=14),
    "delegate-report-followed": Case(delegation("report", True), size=60),
    "delegate-report": Case(delegation("report", False), size=60, seeds=(1, 2, 3)),
    "delegate-report-start3": Case(
        delegation("report", False, **{"leaders.start": 3}), seeds=(1, 2, 3)
    ),
    "delegate-report-start3-followed": Case(delegation("report", True, **{"leaders.start": 3})),
    "delegate-report-stop-followed": Case(
        delegation("report", True, **{"leaders.stop": 6, "delegation.endorsement": 0.9}),
        weeks=12,
    ),
    "delegate-comms-followed": Case(delegation("comms_team", True)),
    "delegate-comms": Case(delegation("comms_team", False), seeds=(1, 2, 3)),
    "delegate-comms-unfair-silent-off": Case(
        delegation(
            "comms_team",
            False,
            **{
                "delegation.fair_posts": False,
                "delegation.rate": 1.5,
                "attention.silent_leaders_count": False,
                "delegation.endorsement": 0.8,
            },
        )
    ),
    # two delegations with different schedules share one comms team: a stopped one no longer
    # gets the team's endorsement while the other still holds the team posters
    "delegate-comms-staggered": Case(
        {
            **CRITICAL,
            "delegation.mode": "comms_team",
            "delegation.comms_team_size": 3,
            "leaders.rules": [
                {"who": "level=0", "strategy": "delegate", "stop": 5},
                {"who": "level=1", "strategy": "delegate", "start": 2},
            ],
        },
        weeks=10,
    ),
    # the top leader delegates to an executive (a top leader too, followed in both draws)
    "delegate-top-leader": Case(
        delegation("report", True, **{"leaders.levels": 1}), size=50, seeds=(1, 2, 3)
    ),
    "delegate-top-restricting-executives": Case(
        {
            **delegation("report", False),
            "leaders.rules": [{"who": "level=1", "strategy": "restrict"}],
            "people.initial_aware": 0.2,
            "delegation.guideline_awareness": 0.9,
        },
        size=30,
        seeds=(1, 2, 3),
    ),
    "delegate-noisy": Case(
        delegation("report", True, **{"decisions.noise": 0.15, "people.initial_aware": 0.8})
    ),
    # one comms-team member posts for every delegating leader: far more posts a week than
    # the kernel's packed word holds (its exact-count path)
    "comms-team-of-one": Case(
        delegation(
            "comms_team",
            True,
            **{"delegation.comms_team_size": 1, "leaders.rate": 40.0, "leaders.levels": 3},
        ),
        seeds=(1,),
    ),
    # strong guidelines, low thresholds: adoptions for which the guideline was pivotal
    "delegate-guideline": Case(
        delegation(
            "report",
            True,
            **{
                "decisions.noise": 0.03,
                "people.initial_aware": 0.8,
                "people.threshold_mean": 0.25,
                "delegation.guideline_strength": 0.8,
            },
        ),
        size=80,
        seeds=(1, 4),
    ),
    "listen": Case({**CRITICAL, "leaders.strategy": "listen"}, size=30),
    "restrict": Case(
        {**CRITICAL, "leaders.strategy": "restrict", "people.innovators": 0.3}, size=30
    ),
    "restrict-one-unit": Case(
        {
            **CRITICAL,
            "leaders.rules": [{"who": "ids=1", "strategy": "restrict"}],
            "restriction.time_factor": 0.7,
        },
        size=50,
    ),
    "rules-listen-stop": Case(
        {
            **CRITICAL,
            "leaders.rules": [{"who": "level=1", "strategy": "listen", "start": 2, "stop": 6}],
        },
        size=50,
        weeks=12,
        seeds=(1, 2, 3),
    ),
    "rules-delegate-stop": Case(
        {
            **CRITICAL,
            "delegation.followed": False,
            "leaders.rules": [
                {"who": "level=1", "strategy": "delegate", "start": 1, "stop": 7},
                {"who": "level=2", "strategy": "model", "rate": 1.5},
            ],
        },
        size=50,
    ),
    "flat-prestige-short-window": Case(
        {
            **CRITICAL,
            "attention.prestige_step": 1.0,
            "attention.active_window": 1,
            "attention.chain_decay": 0.0,
            "attention.followed_endorsement": 2.0,
            "attention.follow_cap": 0.5,
            "decisions.broadcast": 0.05,
        }
    ),
    # ODD 7.1: a tie type of weight 0 links nobody for attention, so a followed account tied
    # only that way takes the follow weight (under the other reading seed 1 differs in week 1)
    "zero-lateral-weight": Case({**CRITICAL, "attention.lateral_weight": 0.0}, size=60),
    # equal tie weights, flat prestige, one-week memory and equal rates: exposures of different
    # kinds tie exactly, and ties go to leader, then peer, then delegate (ODD 7.7)
    "delegate-flat-ties": Case(
        {
            **delegation("report", False),
            **{f"attention.{tie}_weight": 1.0 for tie in ("manager", "report", "team")},
            "attention.lateral_weight": 1.0,
            "attention.follow_weight": 1.0,
            "attention.prestige_step": 1.0,
            "attention.active_window": 1,
            "leaders.rate": 1.0,
            "decisions.noise": 0.3,
            "people.initial_aware": 0.9,
        },
        weeks=12,
    ),
    "none-tiny": Case({"leaders.strategy": "none"}, size=20, weeks=20, seeds=(1, 2, 3)),
    # people at the followed levels who lead nobody: no criticism multiplier (ODD 7.4)
    "top-levels-3": Case(
        {**CRITICAL, "org.follow_levels": 3, "responses.leader_criticism_multiplier": 6.0},
        size=20,
        weeks=12,
        seeds=(1, 2),
    ),
}

STATE_FIELDS = [f.name for f in fields(State) if f.name != "extra"]
ACTION_FIELDS = ("held", "rate", "restricted", "memo", "delegating")


def build(case: Case, seed: int) -> OrgModel:
    params = Params().with_updates({**RICH, "org.size": case.size, **case.updates})
    return OrgModel(params, rng=seed, agents=False)


def mismatches(name: str, got: np.ndarray, want: np.ndarray) -> list[str]:
    """``name`` where the code's ``got`` and the oracle's ``want`` differ (floats to 1e-12)."""
    a, b = np.asarray(got), np.asarray(want)
    if a.shape != b.shape:
        return [f"{name}: code shape {a.shape} oracle shape {b.shape}"]
    bad = ~np.isclose(a, b, rtol=0.0, atol=1e-12) if a.dtype.kind == "f" else a != b
    if not bad.any():
        return []
    where = np.argwhere(bad)[:5].tolist()
    return [f"{name} at {where}: code {a[bad][:5]} oracle {b[bad][:5]}"]


def differences(got: State, want: State, events: Events, want_events: dict) -> list[str]:
    """Every field and event count where the two disagree, with the people concerned."""
    out = []
    for name in STATE_FIELDS:
        out += mismatches(name, getattr(got, name), getattr(want, name))
    for name, want_count in want_events.items():
        if not np.array_equal(events.counts[name], want_count):
            out.append(f"event {name}: code {events.counts[name]} oracle {want_count}")
    return out


def action_differences(got: Actions, want: OracleActions) -> list[str]:
    out = []
    for name in ACTION_FIELDS:
        out += mismatches(f"actions.{name}", getattr(got, name), getattr(want, name))
    return out


@dataclass
class Replayed:
    """One week replayed by both: the model after it, what went in and what disagreed."""

    t: int
    model: OrgModel
    before: State
    actions: Actions
    u: dict[str, np.ndarray]
    events: Events
    found: list[str]


def weeks(case: Case, seed: int) -> Iterator[Replayed]:
    """Replay the case week by week, the code and the oracle from the same state and draws."""
    model = build(case, seed)
    ctx = model.context
    for t in range(1, case.weeks + 1):
        before = model.state.copy()
        actions = model.strategies.actions(t, model.state)
        want_actions = oracle_actions(ctx, t, before.left_strategy)
        u = model.draws.step(model.mechanism.slots, ctx.org.n, t)
        events = model.mechanism.step(model.state, actions, u, t)
        want, want_events = oracle_step(ctx, before, want_actions, u, t)
        found = action_differences(actions, want_actions)
        found += differences(model.state, want, events, want_events)
        yield Replayed(t, model, before, actions, u, events, found)


def replay(case: Case, seed: int, tally: dict | None = None) -> list[str]:
    """Run the case; return the disagreements of the first week with any (none: agreed).

    ``tally``, if given, accumulates the event counts, memo awareness and the roles left, to
    show what the case exercised.
    """
    for week in weeks(case, seed):
        if week.found:
            return [f"week {week.t}: {line}" for line in week.found]
        if tally is not None:
            for name, count in week.events.counts.items():
                if name == "adoptions":
                    for s, source in enumerate(SOURCES):
                        tally[f"adopted:{source}"] = tally.get(f"adopted:{source}", 0) + count[0, s]
                else:
                    tally[name] = tally.get(name, 0) + count[0]
            stage = week.model.state.stage[0]
            memo = week.actions.memo & (week.before.stage[0] == NON_USER) & (stage > NON_USER)
            tally["memo"] = tally.get("memo", 0) + memo.sum()
    if tally is not None:
        tally["left"] = tally.get("left", 0) + week.model.state.left_strategy.sum()
    return []


@pytest.mark.parametrize(
    ("name", "seed"),
    [
        pytest.param(name, seed, id=f"{name}-{seed}")
        for name, case in CASES.items()
        for seed in case.seeds
    ],
)
def test_vectorised_step_matches_odd_oracle(name: str, seed: int) -> None:
    found = replay(CASES[name], seed)
    assert not found, "\n".join(found)


def test_cases_exercise_every_transition() -> None:
    """Across the cases every event, every adoption source and every role change happens."""
    tally: dict[str, float] = {}
    for case in CASES.values():
        assert not replay(case, case.seeds[0], tally)
    missing = [name for name, count in tally.items() if count == 0]
    assert not missing, tally


def test_delegate_top_leader_meets_both_follow_draws() -> None:
    """The ``delegate-top-leader`` case is not vacuous: a delegate who is a top leader is
    followed by some from the top leaders' draw and by others from the delegates' draw only,
    and the two draws give them different endorsement weights (sl_oracle.top_leader_follows)."""
    model = build(CASES["delegate-top-leader"], 1)
    ctx = model.context
    net = network(ctx)
    as_top_leader = top_leader_follows(ctx)
    both = [j for j in range(ctx.org.n) if net.kind[j] == "delegate" and net.top_leader[j]]
    assert both
    as_delegate = {(int(i), int(j)) for i, j in ctx.assignment.follows}
    chains: list[set[int]] = [set() for _ in range(ctx.org.n)]
    for i in range(ctx.org.n):
        boss = int(ctx.org.manager[i])
        while boss >= 0:
            chains[i].add(boss)
            boss = int(ctx.org.manager[boss])
    for j in both:
        first = [i for i in range(ctx.org.n) if j in as_top_leader[i] and j not in chains[i]]
        second = [
            i
            for i in range(ctx.org.n)
            if (i, j) in as_delegate and j not in as_top_leader[i] and j not in chains[i]
        ]
        assert first and second
        assert all(j in net.own_leaders[i] for i in first)
        assert not any(j in net.own_leaders[i] for i in second)


# -- targeted scenarios: the points the code once read otherwise -------------------------


def test_leader_who_left_the_role_posts_at_the_employee_rate() -> None:
    """ODD 7.3: every criticised poster pulls back, innovators re-adopt when the cooldown is
    over; a modeling leader who left the role then posts once a week, not three times."""
    case = Case(
        {
            "responses.criticism_rate": 1.0,
            "responses.pullback_rate": 1.0,
            "people.risk_aversion_mean": 0.99,
            "responses.cooldown": 0,
            "people.innovators": 1.0,
            "leaders.rate": 3.0,
        },
        weeks=6,
    )
    posted = 0
    for week in weeks(case, 1):
        assert not week.found, "\n".join(week.found)
        a, state = week.model.context.assignment, week.model.state
        modeling = week.model.strategies.acting(week.t) & (a.strategy == MODEL)
        left = week.before.left_strategy & modeling
        assert (week.actions.rate[left] == 1.0).all()
        assert (week.actions.held[left] == -1).all()
        posts = state.posts - week.before.posts
        assert (posts[left] <= 1).all()
        posted += int((posts[left] == 1).sum())
    assert posted > 0, "no leader who left the role posted again"


def test_former_delegates_do_not_endorse_their_leader() -> None:
    """ODD 7.5: a delegate's posts give their leader the ``delegation.endorsement`` signal only
    while that leader's delegation acts. Here the delegation stops after week 3; the delegates
    stay posters (no lapse, no criticism) and the silent leaders stay listeners (thresholds 1),
    so from week 4 the leaders signal 0."""
    case = Case(
        {
            "leaders.strategy": "delegate",
            "delegation.mode": "report",
            "delegation.followed": False,
            "delegation.endorsement": 0.8,
            "leaders.stop": 3,
            "decisions.lapse": False,
            "decisions.noise": 0.0,
            "responses.criticism_rate": 0.0,
            "people.threshold_mean": 1.0,
            "people.threshold_sd": 0.0,
            "people.innovators": 0.0,
            "people.initial_posters": 0.0,
        },
        weeks=6,
    )
    differed = 0
    for week in weeks(case, 1):
        assert not week.found, "\n".join(week.found)
        model, t = week.model, week.t
        ctx, mechanism = model.context, model.mechanism
        assert isinstance(mechanism, SocialLearning)
        delegated = ctx.assignment.strategy == DELEGATE
        assert np.array_equal(week.actions.delegating, delegated & (t <= 3))
        active = (t - model.state.last_post) < ctx.params.attention.active_window
        code = mechanism.endorsement(active, week.actions.delegating)[0]
        seen, acting = active[0].tolist(), week.actions.delegating.tolist()
        oracle = [endorsement(ctx, i, seen, acting) for i in range(ctx.org.n)]
        np.testing.assert_allclose(code, oracle, rtol=0, atol=1e-12)
        if t > 3:
            assert not active[0][delegated].any(), "a former delegating leader posts"
            former = ctx.assignment.is_delegate & active[0]
            assert former.any(), "no former delegate posts"
            as_if_acting = mechanism.endorsement(active, delegated)[0]
            assert (as_if_acting >= code).all()
            differed += int((as_if_acting > code).sum())
    assert differed > 0


def test_adoption_below_threshold_is_not_attributed_to_guideline() -> None:
    """ODD 7.7: with decision noise, someone whose motivation is below their threshold may still
    adopt; with a guideline gain, that adoption goes to exposure, not to the guideline."""
    below = pivotal = 0
    cases = [CASES["delegate-noisy"], CASES["delegate-guideline"]]
    for case, seed in [(c, seed) for c in cases for seed in c.seeds]:
        for week in weeks(case, seed):
            assert not week.found, "\n".join(week.found)
            state, t = week.model.state, week.t
            w = week.model.context.params.learning.explicit_weight
            motivation = state.comfort * (w * state.explicit + (1 - w) * state.tacit)
            gap = motivation - state.threshold
            without = gap - state.comfort * w * state.guideline_gain
            new = (state.adopted_at == t) & (week.actions.held != POSTER)
            gained = new & (state.guideline_gain > 0)
            guideline = state.source == SOURCES.index("guideline")
            assert not (gained & (gap < 0) & guideline).any()
            assert (guideline[gained & (gap >= 0) & (without < 0)]).all()
            below += int((gained & (gap < 0)).sum())
            pivotal += int((gained & (gap >= 0) & (without < 0)).sum())
    assert below > 0, "no adoption below threshold with a guideline gain"
    assert pivotal > 0, "no adoption for which the guideline was pivotal"
