"""Plain per-agent oracles of the classic adoption rules, written from the published rules.

Each oracle replays one synchronous step for one replication with a loop over people and the
accounts they observe, reading the same uniform draws ``u`` the vectorised step got (one
number per person and slot), so that the two must agree exactly. Nothing here calls the
vectorised kernels: whom a person observes is read from the org chart as a networkx graph,
and the attention weights are recomputed from their definition.

The step around every rule (docs of :class:`simulator.mechanisms.base.Classic`):

1. people held by a strategy take their held stage;
2. the adopters are everyone then a poster; each posts once;
3. every free non-adopter may adopt and every free adopter may abandon, both reading (2);
4. held people end the step at their held stage; a person's first step as a poster is their
   ``adopted_at``, and its main source is ``assigned`` for people held posters, else the kind
   of account (leader, peer, delegate; the first on a tie) most common among the adopters
   they observed, ``spontaneous`` when they observed none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from simulator.mechanisms.base import Context
from simulator.state import KINDS, LISTENER, POSTER, SOURCES, State
from simulator.strategies import Actions

CLASSICS = ("independent_cascade", "si", "threshold", "linear_threshold", "bass", "abandonment")


@dataclass
class OracleStep:
    """The oracle's outcome of one step for one replication (arrays of shape ``(n,)``)."""

    stage: np.ndarray
    adopted_at: np.ndarray
    posts: np.ndarray
    source: np.ndarray
    extra: dict[str, np.ndarray] = field(default_factory=dict)


@cache
def observed(ctx: Context) -> tuple[tuple[int, ...], ...]:
    """Whom each person observes: anyone they have a tie of any type to, never themselves."""
    graph = ctx.org.to_networkx()
    return tuple(tuple(sorted({j for j in graph.successors(i) if j != i})) for i in graph.nodes)


@cache
def attention_weights(ctx: Context) -> tuple[dict[int, float], ...]:
    """Attention weights by definition (module docstring of :mod:`simulator.attention`).

    A neighbour weighs the weight of their strongest tie type times their prestige
    (``prestige_step ** (deepest level - level)``); a followed account that is not a
    neighbour weighs ``follow_weight`` times prestige. Followed non-neighbours may take at
    most a share ``follow_cap`` of the total (their weights are scaled down to that share
    when they would take more). Each person's weights sum to one.
    """
    org, p = ctx.org, ctx.params.attention
    tie = {
        "manager": p.manager_weight,
        "report": p.report_weight,
        "team": p.team_weight,
        "lateral": p.lateral_weight,
    }
    deepest = max(int(level) for level in org.level)
    prestige = [p.prestige_step ** (deepest - int(org.level[j])) for j in range(org.n)]
    graph = org.to_networkx()
    out = []
    for i in range(org.n):
        strongest: dict[int, float] = {}
        follows: set[int] = set()
        for _, j, kind in graph.out_edges(i, data="type"):
            if kind == "follow":
                follows.add(j)
            else:
                strongest[j] = max(strongest.get(j, 0.0), tie[kind])
        neighbours = {j: w * prestige[j] for j, w in strongest.items() if w > 0}
        followed = {j: p.follow_weight * prestige[j] for j in follows if j not in neighbours}
        a, f = sum(neighbours.values()), sum(followed.values())
        scale = 1.0
        if a > 0 and f > 0 and f / (a + f) > p.follow_cap:  # solve scale*f/(a+scale*f) = cap
            scale = p.follow_cap * a / ((1 - p.follow_cap) * f)
        total = a + scale * f
        weights = {j: w / total for j, w in neighbours.items()}
        weights.update({j: scale * w / total for j, w in followed.items()})
        out.append(weights)
    return tuple(out)


def oracle_step(
    name: str,
    ctx: Context,
    before: State,
    actions: Actions,
    u: Mapping[str, np.ndarray],
    t: int,
    r: int = 0,
) -> OracleStep:
    """Step ``t`` of classic mechanism ``name`` for replication ``r``, person by person."""
    p: Any = ctx.params.mechanism  # the variant named ``name``
    n = ctx.org.n
    obs = observed(ctx)
    held = [int(h) for h in actions.held[r]]
    stage = [int(s) for s in before.stage[r]]
    threshold = [float(x) for x in before.threshold[r]]
    u_exposure = [float(x) for x in u["exposure"][r]] if "exposure" in u else []
    u_lapse = [float(x) for x in u["lapse"][r]] if "lapse" in u else []
    extra = {key: value[r].copy() for key, value in before.extra.items()}

    # 1. held people take their held stage
    for i in range(n):
        if held[i] >= 0:
            stage[i] = held[i]
    # 2. the adopters of this step
    adopted = [s == POSTER for s in stage]
    posts = before.posts[r] + np.array(adopted, dtype=np.int64)

    if name == "independent_cascade":
        # Kempe, Kleinberg and Tardos (2003): an adopter has one chance, in the step after
        # adopting, to activate each person who observes them, with probability p. A person
        # facing k fresh adopters adopts with 1 - (1-p)**k: k independent trials, taken as
        # one uniform per person.
        tried = [bool(x) for x in extra["tried"]]
        fresh = [adopted[j] and not tried[j] for j in range(n)]
        extra["tried"] = np.array([tried[j] or fresh[j] for j in range(n)])

    # 3. adoption and abandonment, every person reading the adopters of (2)
    new = list(stage)
    gone = [False] * n
    for i in range(n):
        if held[i] >= 0:
            continue
        if adopted[i]:
            if name == "abandonment" and u_lapse[i] < p.delta:
                # Rogers (2003) discontinuance: abandon with chance delta, for good
                gone[i] = True
                new[i] = LISTENER
            continue
        m = sum(1 for j in obs[i] if adopted[j])  # adopters person i observes
        k = len(obs[i])  # accounts person i observes
        if name == "independent_cascade":
            fresh_seen = sum(1 for j in obs[i] if fresh[j])
            adopts = u_exposure[i] < 1 - (1 - p.p) ** fresh_seen
        elif name == "si":
            # SI (Anderson and May 1991): each adopted account transmits with chance beta
            adopts = u_exposure[i] < 1 - (1 - p.beta) ** m
        elif name == "threshold":
            # Granovetter (1978), Watts (2002): adopt when the count (absolute) or share
            # (fractional) of observed adopters reaches the threshold, equality included;
            # someone who observes nobody has share 0
            if p.rule == "absolute":
                adopts = m >= threshold[i]
            else:
                share = m / k if k > 0 else 0.0
                adopts = share >= threshold[i]
        elif name == "linear_threshold":
            # Kempe, Kleinberg and Tardos (2003): adopt when the summed weights of the
            # observed adopters reach the person's uniform threshold
            if p.weights == "uniform":
                weights = {j: 1 / k for j in obs[i]}
            else:
                weights = attention_weights(ctx)[i]
            pressure = 0.0
            for j in sorted(weights):
                if adopted[j]:
                    pressure += weights[j]
            adopts = pressure >= threshold[i]
        elif name == "bass":
            # Bass (1969) on a network (Fibich and Gibori 2010): external influence p and
            # internal influence q shared among the k observed accounts
            per = p.q / k if k > 0 else 0.0
            adopts = u_exposure[i] < 1 - (1 - p.p) * (1 - per) ** m
        elif name == "abandonment":
            # SI adoption with an external term p; people who abandoned never adopt again
            adopts = (not extra["abandoned"][i]) and (
                u_exposure[i] < 1 - (1 - p.p) * (1 - p.beta) ** m
            )
        else:
            raise KeyError(f"no oracle for mechanism {name!r}")
        if adopts:
            new[i] = POSTER
    if name == "abandonment":
        extra["abandoned"] = extra["abandoned"] | np.array(gone)

    # 4. first step as a poster, and what it is attributed to
    adopted_at = before.adopted_at[r].copy()
    source = before.source[r].copy()
    for i in range(n):
        if new[i] == POSTER and adopted_at[i] < 0:
            adopted_at[i] = t
            if held[i] == POSTER:
                source[i] = SOURCES.index("assigned")
                continue
            seen = [0] * len(KINDS)
            for j in obs[i]:
                if adopted[j]:
                    seen[int(ctx.kind[j])] += 1
            main = max(range(len(KINDS)), key=lambda k: (seen[k], -k))
            kind = KINDS[main] if seen[main] > 0 else "spontaneous"
            source[i] = SOURCES.index(kind)
    return OracleStep(
        stage=np.array(new, dtype=np.int8),
        adopted_at=adopted_at,
        posts=posts,
        source=source,
        extra=extra,
    )
