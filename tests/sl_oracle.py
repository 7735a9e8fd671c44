"""A plain per-person oracle of the flagship ``social_learning`` mechanism.

Written from its specification, docs/ODD.md sections 2, 3, 5 and 7.1-7.7, as loops over people
and over the accounts each person attends to. It reads the compiled static structure of a run
(the org chart's layers, levels and managers, the follow ties as drawn, the strategy
assignment and the delegates appointed) as *data*, and the step's strategy actions and uniform
draws as *inputs*, but none of the vectorised rules: attention weights and the follow cap,
shares, the kinds of accounts, endorsement along the chain of command, responses, learning,
decisions, held stages, attribution and counters are all recomputed here, one person at a time,
in plain Python floats.

:func:`oracle_step` replays one week from a copy of the state before it and returns the state
and the event counts after it, to be compared with what the vectorised step produced from the
same state, actions and draws.

:func:`oracle_actions` is the interventions' part of phase 1 (who is held at which stage,
posting rates, restriction, guideline memos, whose delegation acts) from the strategy table of
ODD section 2 and sections 7.2-7.5, to check :meth:`simulator.strategies.Strategies.actions`
and to feed :func:`oracle_step` actions that do not come from the code.

Where the ODD leaves a detail open, the oracle says which reading it takes where it takes it
(:func:`top_leader_follows`: which follows make a followed top leader one's own leader).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Protocol

import numpy as np
import scipy.sparse as sp

from simulator.mechanisms.base import Context
from simulator.state import KINDS, LISTENER, NON_USER, POSTER, SOURCES, State

# Codes of STRATEGIES (simulator.params): model, delegate, listen, restrict, none.
MODEL, DELEGATE, LISTEN, RESTRICT, NONE = range(5)
HELD_STAGE = {MODEL: POSTER, DELEGATE: LISTENER, LISTEN: LISTENER, RESTRICT: NON_USER}
TIE_TYPES = ("manager", "report", "team", "lateral")
EVENT_NAMES = ("posts", "engaged", "criticised", "lapses", "pullbacks", "aware", "cross_unit")
POLICY = {"restrictive": -1.0, "neutral": 0.0, "open": 1.0}
TIE_ORDER = ("leader", "peer", "delegate")
"""Which kind an adoption goes to when kinds tie for the largest exposure (ODD 7.7)."""


class StepActions(Protocol):
    """What phase 1 decides for a week: :class:`simulator.strategies.Actions` or
    :class:`OracleActions`."""

    held: np.ndarray  # (R, n) held stage, -1 if free
    rate: np.ndarray  # (R, n) posts/week should the person be a poster this week
    restricted: np.ndarray  # (n,)
    memo: np.ndarray  # (n,)
    delegating: np.ndarray  # (n,) leaders whose delegation acts this week


def row(matrix: sp.csr_matrix, i: int) -> list[int]:
    """Columns of row ``i`` of a CSR matrix (whom person ``i`` sees, in a layer)."""
    return [int(j) for j in matrix.indices[matrix.indptr[i] : matrix.indptr[i + 1]]]


def top_leader_follows(ctx: Context) -> list[set[int]]:
    """Whom each person follows *as a top leader*: the first draw of the follow layer.

    ODD section 2 draws the follow layer twice: each person follows each top leader with
    probability ``org.follow_prob``, and, with ``delegation.followed``, each delegate likewise.
    ODD 7.5 makes "followed top leaders" one's own leaders and says "followed delegates are not
    among one's own leaders". The two meet when a delegate is a top leader themself (a
    delegating leader may appoint a report who leads, see ``delegate-top-leader`` in the test
    module); the oracle reads both sentences as naming the draw: a top leader one follows from
    the first draw is one's own leader, delegate or not, and a follow from the delegates' draw
    alone is not. The follow ties as drawn are data: the run's follow list is the
    organisation's draw followed by the assignment's (``Assignment.follows``).
    """
    follows, extra = ctx.org.follows, ctx.assignment.follows
    first = len(follows) - len(extra)
    assert np.array_equal(follows[first:], extra), "follow ties not in the expected order"
    out: list[set[int]] = [set() for _ in range(ctx.org.n)]
    for follower, account in follows[:first]:
        out[int(follower)].add(int(account))
    return out


@dataclass(frozen=True)
class Network:
    """Whom each person attends to and whose example counts, from the static structure."""

    prestige: tuple[float, ...]
    neighbours: tuple[dict[int, float], ...]  # neighbour j -> weight (strongest tie x prestige)
    followed: tuple[dict[int, float], ...]  # followed non-neighbour j -> follow_weight x prestige
    observed: tuple[tuple[int, ...], ...]  # every account one observes (awareness)
    top_leader: tuple[bool, ...]  # leads someone, at a followed level (ODD section 2)
    own_leaders: tuple[dict[int, float], ...]  # endorsement weights of one's own leaders
    delegates: tuple[tuple[int, ...], ...]  # delegating leader -> their delegates
    kind: tuple[str, ...]  # delegate, leader or peer (ODD 7.7)
    cross: tuple[int, ...]  # observers of each account in another unit


@cache
def network(ctx: Context) -> Network:
    org, p = ctx.org, ctx.params.attention
    n = org.n
    layers = org.layers
    deepest = max(int(x) for x in org.level)
    prestige = tuple(p.prestige_step ** (deepest - int(org.level[j])) for j in range(n))
    tie_weight = {
        "manager": p.manager_weight,
        "report": p.report_weight,
        "team": p.team_weight,
        "lateral": p.lateral_weight,
    }
    neighbours, followed, observed = [], [], []
    for i in range(n):
        strongest: dict[int, float] = {}
        for name in TIE_TYPES:
            if tie_weight[name] == 0:
                continue  # a tie type of weight 0 links nobody for attention (ODD 7.1)
            for j in row(layers[name], i):
                strongest[j] = max(strongest.get(j, 0.0), tie_weight[name])
        near = {j: w * prestige[j] for j, w in strongest.items()}
        neighbours.append(near)
        followed.append(
            {j: p.follow_weight * prestige[j] for j in row(layers["follow"], i) if j not in near}
        )
        # awareness: every account observed, through any tie type or a follow (ODD 7.6)
        seen = {j for name in (*TIE_TYPES, "follow") for j in row(layers[name], i)}
        observed.append(tuple(sorted(seen - {i})))
    reports = [0] * n
    for i in range(n):
        if org.manager[i] >= 0:
            reports[int(org.manager[i])] += 1
    follow_levels = ctx.params.org.follow_levels
    top_leader = tuple(int(org.level[i]) < follow_levels and reports[i] > 0 for i in range(n))
    # own leaders (ODD 7.5): up the chain of command the direct manager weighs 1 and each
    # further leader chain_decay times the one below; a followed top leader weighs
    # followed_endorsement; the larger weight where both apply
    as_top_leader = top_leader_follows(ctx)
    own = []
    for i in range(n):
        weights: dict[int, float] = {}
        boss, w = int(org.manager[i]), 1.0
        while boss >= 0:
            weights[boss] = max(weights.get(boss, 0.0), w)
            boss, w = int(org.manager[boss]), w * p.chain_decay
        for j in as_top_leader[i]:
            if top_leader[j]:
                weights[j] = max(weights.get(j, 0.0), p.followed_endorsement)
        own.append(weights)
    a = ctx.assignment
    delegates = tuple(tuple(row(a.delegates, i)) for i in range(n))
    appointed = {j for ds in delegates for j in ds}
    kind = tuple(
        "delegate"
        if i in appointed
        else "leader"
        if reports[i] > 0 or int(a.strategy[i]) != NONE
        else "peer"
        for i in range(n)
    )
    cross = [0] * n
    for i in range(n):
        for j in observed[i]:
            if org.unit[i] != org.unit[j]:
                cross[j] += 1
    return Network(
        prestige=prestige,
        neighbours=tuple(neighbours),
        followed=tuple(followed),
        observed=tuple(observed),
        top_leader=top_leader,
        own_leaders=tuple(own),
        delegates=delegates,
        kind=kind,
        cross=tuple(cross),
    )


def g(d: float, noise: float) -> float:
    """Decision chance for margin ``d`` (ODD 7.6)."""
    if noise == 0:
        return 1.0 if d >= 0 else 0.0
    x = -d / noise
    return 0.0 if x > 700 else 1.0 / (1.0 + math.exp(x))


def endorsement(ctx: Context, i: int, active: Sequence[bool], delegating: Sequence[bool]) -> float:
    """``E_i`` (ODD 7.5): how far ``i``'s own leaders post, themselves or through delegates.

    ``active``: who is active this week; ``delegating``: whose delegation acts this week.
    """
    net, p = network(ctx), ctx.params
    silent_count = p.attention.silent_leaders_count
    num = den = 0.0
    for leader, w in net.own_leaders[i].items():
        if active[leader]:
            signal = 1.0
        elif delegating[leader] and any(active[d] for d in net.delegates[leader]):
            signal = p.delegation.endorsement
        else:
            signal = 0.0
        counted = 1.0 if silent_count or signal > 0 else 0.0
        num += w * signal
        den += w * counted
    return num / den if den > 0 else 0.0


def oracle_step(
    ctx: Context,
    before: State,
    actions: StepActions,
    u: Mapping[str, np.ndarray],
    t: int,
) -> tuple[State, dict[str, np.ndarray]]:
    """Week ``t`` from ``before`` (left untouched): the state after it and its event counts."""
    after = before.copy()
    events: dict[str, np.ndarray] = {name: np.zeros(before.replications) for name in EVENT_NAMES}
    events["adoptions"] = np.zeros((before.replications, len(SOURCES)))
    for r in range(before.replications):
        Week(ctx, after, actions, u, t, r, events).run()
    return after, events


class Week:
    """One week of one replication, phase by phase (ODD section 3), person by person."""

    def __init__(
        self,
        ctx: Context,
        state: State,
        actions: StepActions,
        u: Mapping[str, np.ndarray],
        t: int,
        r: int,
        events: dict[str, np.ndarray],
    ) -> None:
        self.ctx, self.p, self.net = ctx, ctx.params, network(ctx)
        self.state, self.t, self.r = state, t, r
        self.n = state.n
        self.u = {slot: [float(x) for x in u[slot][r]] for slot in u}
        self.held = [int(h) for h in actions.held[r]]
        self.rate = [float(q) for q in actions.rate[r]]
        self.restricted = [bool(x) for x in actions.restricted]
        self.memo = [bool(x) for x in actions.memo]
        self.delegating = [bool(x) for x in actions.delegating]
        self.events = events
        # the person's variables, as plain Python values
        s = state
        self.stage = [int(x) for x in s.stage[r]]
        self.comfort = [float(x) for x in s.comfort[r]]
        self.explicit = [float(x) for x in s.explicit[r]]
        self.tacit = [float(x) for x in s.tacit[r]]
        self.threshold = [float(x) for x in s.threshold[r]]
        self.risk = [float(x) for x in s.risk_aversion[r]]
        self.innovator = [bool(x) for x in s.innovator[r]]
        self.last_post = [int(x) for x in s.last_post[r]]
        self.cooldown_until = [int(x) for x in s.cooldown_until[r]]
        self.posts_total = [int(x) for x in s.posts[r]]
        self.engaged_total = [int(x) for x in s.engaged[r]]
        self.criticised_total = [int(x) for x in s.criticised[r]]
        self.lapses = [int(x) for x in s.lapses[r]]
        self.pullbacks = [int(x) for x in s.pullbacks[r]]
        self.left = [bool(x) for x in s.left_strategy[r]]
        self.adopted_at = [int(x) for x in s.adopted_at[r]]
        self.source = [int(x) for x in s.source[r]]
        self.gain = [float(x) for x in s.guideline_gain[r]]
        self.exposure = [[float(x) for x in s.exposure[k, r]] for k in range(len(KINDS))]

    # -- helpers ----------------------------------------------------------------------------
    def count(self, name: str, k: float = 1.0) -> None:
        self.events[name][self.r] += k

    def adopt(self, i: int, source: str) -> None:
        """A transition to poster: counted by source; the first one is recorded."""
        code = SOURCES.index(source)
        self.events["adoptions"][self.r, code] += 1
        if self.adopted_at[i] < 0:
            self.adopted_at[i] = self.t
            self.source[i] = code

    def run(self) -> None:
        self.interventions()
        self.posting()
        self.responses()
        self.attention()
        self.learning()
        self.decisions()
        self.write_back()

    # -- phase 1 (ODD 7.2) --------------------------------------------------------------------
    def interventions(self) -> None:
        for i in range(self.n):
            if self.held[i] >= 0 and self.stage[i] != self.held[i]:
                if self.held[i] == POSTER:
                    self.adopt(i, "assigned")
                self.stage[i] = self.held[i]
        d = self.p.delegation
        for i in range(self.n):
            if not self.memo[i]:
                continue
            gain = d.guideline_strength * max(0.0, d.guideline_cap - self.explicit[i])
            self.explicit[i] += gain
            self.gain[i] += gain
            free = self.held[i] < 0
            if free and self.stage[i] == NON_USER and self.u["memo"][i] < d.guideline_awareness:
                self.stage[i] = LISTENER
                self.count("aware")

    # -- phase 2 (ODD 7.3) --------------------------------------------------------------------
    def posting(self) -> None:
        self.posts = [0] * self.n
        for i in range(self.n):
            if self.stage[i] != POSTER:
                continue
            q = self.rate[i]
            k = math.floor(q) + (1 if self.u["posting"][i] < q - math.floor(q) else 0)
            self.posts[i] = k
            self.posts_total[i] += k
            if k > 0:
                self.last_post[i] = self.t
            self.count("posts", k)
            self.count("cross_unit", k * self.net.cross[i])

    # -- phase 3 (ODD 7.4) --------------------------------------------------------------------
    def responses(self) -> None:
        rp, o = self.p.responses, self.p.culture.openness
        e = min(1.0, rp.engagement_rate * o / 0.5)
        self.engaged = [False] * self.n
        self.criticised = [False] * self.n
        for i in range(self.n):
            k = self.posts[i]
            if k == 0:
                continue
            m = rp.leader_criticism_multiplier if self.net.top_leader[i] else 1.0
            c = min(1.0, rp.criticism_rate * (1 - o) / 0.5 * m)
            self.engaged[i] = self.u["engagement"][i] < 1 - (1 - e) ** k
            self.criticised[i] = self.u["criticism"][i] < 1 - (1 - c) ** k
            if self.engaged[i]:
                self.engaged_total[i] += 1
                self.count("engaged")
            if not self.criticised[i]:
                continue
            self.criticised_total[i] += 1
            self.count("criticised")
            self.comfort[i] = max(0.0, self.comfort[i] - rp.criticism_comfort_loss)
            if self.u["pullback"][i] < rp.pullback_rate * self.risk[i]:
                self.stage[i] = LISTENER
                self.cooldown_until[i] = self.t + rp.cooldown + 1
                self.pullbacks[i] += 1
                self.count("pullbacks")
                if self.held[i] == POSTER:  # a held leader or delegate leaves the role
                    self.left[i] = True
                    self.held[i] = -1

    # -- phase 4 (ODD 7.1) --------------------------------------------------------------------
    def attention(self) -> None:
        window = self.p.attention.active_window
        self.active = [self.t - window + 1 <= lp <= self.t for lp in self.last_post]
        silent_count = self.p.attention.silent_leaders_count
        cap = self.p.attention.follow_cap
        self.visible: list[dict[int, float]] = []
        self.scale: list[float] = []
        for i in range(self.n):
            visible = {
                j: w for j, w in self.net.followed[i].items() if silent_count or self.active[j]
            }
            a = sum(self.net.neighbours[i].values())
            f = sum(visible.values())
            c = 1.0
            if a > 0 and f > 0 and f / (a + f) > cap:
                c = cap * a / ((1 - cap) * f)
            self.visible.append(visible)
            self.scale.append(c)

    def share(self, i: int, x: list[float] | list[bool] | list[int]) -> float:
        """Attention-weighted share of ``x`` over whom ``i`` attends to (0 if nobody)."""
        near, far, c = self.net.neighbours[i], self.visible[i], self.scale[i]
        num = sum(w * x[j] for j, w in near.items()) + c * sum(w * x[j] for j, w in far.items())
        den = sum(near.values()) + c * sum(far.values())
        return num / den if den > 0 else 0.0

    # -- phase 5 (ODD 7.5, 7.7) ----------------------------------------------------------------
    def endorsement(self, i: int) -> float:
        return endorsement(self.ctx, i, self.active, self.delegating)

    def learning(self) -> None:
        lp, culture = self.p.learning, self.p.culture
        kind = self.net.kind
        memory = 1 - 1 / self.p.attention.active_window
        of_kind = [[self.posts[j] if kind[j] == k else 0 for j in range(self.n)] for k in KINDS]
        comfort = list(self.comfort)
        for i in range(self.n):
            social = self.share(i, self.active)
            endorsement = self.endorsement(i)
            engagement = self.share(i, self.engaged)
            criticism = self.share(i, self.criticised)
            target = (
                lp.culture_weight * culture.openness
                + POLICY[culture.policy] * culture.policy_shift
                + lp.social_weight * social
                + lp.endorsement_weight * endorsement
                + lp.engagement_weight * engagement
                - lp.criticism_weight * criticism
                - (self.p.restriction.comfort_penalty if self.restricted[i] else 0.0)
            )
            target = min(1.0, max(0.0, target))
            comfort[i] = self.comfort[i] + lp.comfort_rate * (target - self.comfort[i])
            seen = self.share(i, self.posts)
            self.tacit[i] += (1 - self.tacit[i]) * (1 - (1 - lp.tacit_rate) ** seen)
            for k in range(len(KINDS)):
                self.exposure[k][i] = memory * self.exposure[k][i] + self.share(i, of_kind[k])
        self.comfort = comfort

    # -- phase 6 (ODD 7.6, 7.7) ----------------------------------------------------------------
    def motivation(self, i: int, explicit: float) -> float:
        w = self.p.learning.explicit_weight
        return self.comfort[i] * (w * explicit + (1 - w) * self.tacit[i])

    def main_source(self, i: int) -> str:
        """ODD 7.7: the guideline if its gain was pivotal, else the most seen kind."""
        reaches = self.motivation(i, self.explicit[i]) >= self.threshold[i]
        without = self.motivation(i, self.explicit[i] - self.gain[i])
        if reaches and without < self.threshold[i]:
            return "guideline"
        exposure = {kind: self.exposure[KINDS.index(kind)][i] for kind in KINDS}
        best = max(exposure.values())
        if best <= 0:
            return "spontaneous"
        return next(kind for kind in TIE_ORDER if exposure[kind] == best)

    def decisions(self) -> None:
        d = self.p.decisions
        stage = self.stage  # as phase 3 left it
        if d.awareness_source == "posters":
            source = [stage[j] == POSTER and self.active[j] for j in range(self.n)]
        else:
            source = [stage[j] >= LISTENER for j in range(self.n)]
        new = list(stage)
        for i in range(self.n):
            if self.held[i] >= 0:
                continue
            gap = self.motivation(i, self.explicit[i]) - self.threshold[i]
            if stage[i] == NON_USER:
                m = sum(1 for j in self.net.observed[i] if source[j])
                p_aware = 1 - (1 - d.broadcast) * (1 - d.awareness_rate) ** m
                if self.u["exposure"][i] < p_aware:
                    new[i] = LISTENER
                    self.count("aware")
            elif stage[i] == LISTENER and self.t >= self.cooldown_until[i]:
                if self.innovator[i] or self.u["decision"][i] < g(gap, d.noise):
                    new[i] = POSTER
                    self.adopt(i, self.main_source(i))
            elif stage[i] == POSTER and d.lapse and not self.innovator[i]:
                if d.noise == 0:
                    lapse = self.motivation(i, self.explicit[i]) < self.threshold[i] - d.hysteresis
                else:
                    lapse = self.u["lapse"][i] < g(-(gap + d.hysteresis), d.noise)
                if lapse:
                    new[i] = LISTENER
                    self.lapses[i] += 1
                    self.count("lapses")
        self.stage = new

    def write_back(self) -> None:
        s, r = self.state, self.r
        s.stage[r] = self.stage
        s.comfort[r] = self.comfort
        s.explicit[r] = self.explicit
        s.tacit[r] = self.tacit
        s.last_post[r] = self.last_post
        s.cooldown_until[r] = self.cooldown_until
        s.posts[r] = self.posts_total
        s.engaged[r] = self.engaged_total
        s.criticised[r] = self.criticised_total
        s.lapses[r] = self.lapses
        s.pullbacks[r] = self.pullbacks
        s.left_strategy[r] = self.left
        s.adopted_at[r] = self.adopted_at
        s.source[r] = self.source
        s.guideline_gain[r] = self.gain
        for k in range(len(KINDS)):
            s.exposure[k, r] = self.exposure[k]


# -- interventions: the strategy table (ODD section 2, 7.2-7.5) -----------------------------


@dataclass
class OracleActions:
    held: np.ndarray  # (R, n) int8: the stage a person is held at, -1 if free
    rate: np.ndarray  # (R, n): a person's posts/week should they be a poster this week
    restricted: np.ndarray  # (n,) under a restricting leader whose strategy acts
    memo: np.ndarray  # (n,) gets a guideline memo this week (one, however many delegations)
    delegating: np.ndarray  # (n,) leaders whose delegation acts this week


def in_subtree(ctx: Context, i: int, heads: set[int]) -> bool:
    """Whether ``i`` is one of ``heads`` or reports to one of them, directly or not."""
    while i >= 0:
        if i in heads:
            return True
        i = int(ctx.org.manager[i])
    return False


def delegate_rate(ctx: Context, i: int, delegating: np.ndarray) -> float:
    """Posts/week of delegate ``i`` in a week whose delegating leaders are ``delegating``
    (ODD section 2, *Delegates*: a comms team shares the posts of the leaders acting)."""
    a, d = ctx.assignment, ctx.params.delegation
    if not d.fair_posts:
        return d.rate
    leaders = [lead for lead in range(ctx.org.n) if int(a.strategy[lead]) == DELEGATE]
    if d.mode == "comms_team":
        team = {j for lead in leaders for j in network(ctx).delegates[lead]}
        return sum(float(a.rate[lead]) for lead in leaders if delegating[lead]) / len(team)
    (leader,) = [lead for lead in leaders if i in network(ctx).delegates[lead]]
    return float(a.rate[leader])


def oracle_actions(ctx: Context, t: int, left: np.ndarray) -> OracleActions:
    """Phase 1 of week ``t`` for replications whose ``left_strategy`` is ``left`` (R, n).

    A strategy acts in weeks ``start+1 .. stop``; delegates are held posters while a delegation
    they post for acts; a leader or delegate who left their role is free and posts at the
    employees' rate (ODD 7.3), times ``restriction.time_factor`` under a restricting leader.
    """
    a, p = ctx.assignment, ctx.params
    n, net = ctx.org.n, network(ctx)
    acts = [int(a.strategy[i]) != NONE and int(a.start[i]) < t <= int(a.stop[i]) for i in range(n)]
    restricting = {i for i in range(n) if acts[i] and int(a.strategy[i]) == RESTRICT}
    restricted = np.array([in_subtree(ctx, i, restricting) for i in range(n)])
    delegating = np.array([acts[i] and int(a.strategy[i]) == DELEGATE for i in range(n)])
    first_week = {i for i in range(n) if delegating[i] and int(a.start[i]) + 1 == t}
    memo = np.array([in_subtree(ctx, i, first_week) for i in range(n)])
    on_duty = {j for lead in range(n) if delegating[lead] for j in net.delegates[lead]}
    R = left.shape[0]
    held = np.full((R, n), -1, dtype=np.int8)
    rate = np.zeros((R, n))
    for r in range(R):
        for i in range(n):
            q = p.people.posting_rate
            if left[r, i]:
                pass  # a leader or delegate who pulled back left the role for good
            elif i in on_duty:
                held[r, i], q = POSTER, delegate_rate(ctx, i, delegating)
            elif acts[i]:
                held[r, i] = HELD_STAGE[int(a.strategy[i])]
                if int(a.strategy[i]) == MODEL:
                    q = float(a.rate[i])
            rate[r, i] = q * (p.restriction.time_factor if restricted[i] else 1.0)
    return OracleActions(
        held=held, rate=rate, restricted=restricted, memo=memo, delegating=delegating
    )
