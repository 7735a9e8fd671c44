"""The state of a run: arrays over people, with a leading replication axis.

Every array has shape ``(R, n)``: ``R`` replications of the same organisation (``R = 1`` for a
single run) by ``n`` people. Mechanisms read and replace these arrays; Mesa ``Person`` agents
are views on one column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields

import numpy as np

from simulator.params import PeopleParams

NON_USER, LISTENER, POSTER = 0, 1, 2
STAGES: tuple[str, ...] = ("non_user", "listener", "poster")

SOURCES: tuple[str, ...] = ("assigned", "leader", "peer", "delegate", "guideline", "spontaneous")
"""Main source an adoption is attributed to (see docs/ODD.md, Attribution)."""

KINDS: tuple[str, ...] = ("leader", "peer", "delegate")
"""Kinds of observed accounts, for attribution."""

EVENTS: tuple[str, ...] = (
    "posts",
    "engaged",
    "criticised",
    "lapses",
    "pullbacks",
    "aware",
    "cross_unit",
)
"""What a step counts per replication (:class:`simulator.mechanisms.base.Events`), in the
order of the compiled kernel's event columns and of the per-step series."""

NEVER = -(10**9)
"""``last_post`` of someone who never posted."""

COUNT = np.int32
"""dtype of the counters and week numbers (posts, lapses, last post, ...): half of int64's
memory at a million people; a run would need 2**31 weeks or posts to overflow it."""

FIRST = np.int64(0)
"""Row 0, as the compiled phases take a first row. numba compiles a function once more for
each literal argument a compiled caller passes (the literal 0, besides any int64), so the
paths that start at row 0 pass this (an int64, as any row) and share the machine code of the
paths that split the rows over threads."""


@dataclass
class State:
    """Arrays of shape ``(R, n)`` unless noted."""

    stage: np.ndarray  # int8, NON_USER / LISTENER / POSTER
    comfort: np.ndarray  # perceived safety and norm, 0..1
    explicit: np.ndarray  # explicit know-how, 0..1
    tacit: np.ndarray  # tacit know-how (tone), 0..1
    threshold: np.ndarray  # individual threshold
    risk_aversion: np.ndarray  # 0..1
    innovator: np.ndarray  # bool: posts once aware
    last_post: np.ndarray  # int, step of the last post (NEVER if none)
    cooldown_until: np.ndarray  # int, no posting decision before this step
    posts: np.ndarray  # int, posts made
    engaged: np.ndarray  # int, steps with positive engagement received
    criticised: np.ndarray  # int, steps with criticism received
    lapses: np.ndarray  # int, poster -> listener by motivation
    pullbacks: np.ndarray  # int, poster -> listener after criticism
    left_strategy: np.ndarray  # bool, a leader or delegate who pulled back and left the role
    adopted_at: np.ndarray  # int, first step as poster (-1 never; 0 initial)
    source: np.ndarray  # int8 index into SOURCES of the first adoption (-1 none)
    guideline_gain: np.ndarray  # explicit know-how added by guidelines
    exposure: np.ndarray  # (len(KINDS), R, n) accumulated observed posts by kind
    extra: dict[str, np.ndarray] = field(default_factory=dict)  # mechanism-specific arrays

    @property
    def replications(self) -> int:
        return int(self.stage.shape[0])

    @property
    def n(self) -> int:
        return int(self.stage.shape[1])

    def copy(self) -> State:
        """A deep copy (arrays copied)."""
        copied = {f.name: getattr(self, f.name).copy() for f in fields(self) if f.name != "extra"}
        return State(**copied, extra={k: v.copy() for k, v in self.extra.items()})


PER_PERSON: tuple[str, ...] = (
    "stage",
    "comfort",
    "explicit",
    "tacit",
    "threshold",
    "risk_aversion",
    "innovator",
    "last_post",
    "cooldown_until",
    "posts",
    "engaged",
    "criticised",
    "lapses",
    "pullbacks",
    "left_strategy",
    "adopted_at",
    "source",
    "guideline_gain",
)
"""The ``(R, n)`` fields, in the order the fused kernels take them."""


def init_state(n: int, p: PeopleParams, rngs: Sequence[np.random.Generator]) -> State:
    """Draw individual traits and the initial stages, one replication per generator.

    Thresholds are normal (clipped to 0..1) with a share of innovators at 0; risk aversion and
    initial explicit know-how are Beta distributed with the given means (concentration 4).
    The initial posters and the initially aware are drawn uniformly. Each replication's draws
    are written into its row of the ``(R, n)`` arrays (no per-replication copies to stack).
    """
    R = len(rngs)
    threshold, risk_aversion, explicit = np.empty((R, n)), np.empty((R, n)), np.empty((R, n))
    innovator = np.empty((R, n), dtype=bool)
    stage = np.empty((R, n), dtype=np.int8)
    for r, rng in enumerate(rngs):
        _draw_row(n, p, rng, threshold[r], innovator[r], risk_aversion[r], explicit[r], stage[r])
    poster = stage == POSTER
    return State(
        stage=stage,
        comfort=np.zeros((R, n)),
        explicit=explicit,
        tacit=np.zeros((R, n)),
        threshold=threshold,
        risk_aversion=risk_aversion,
        innovator=innovator,
        last_post=np.full((R, n), NEVER, dtype=COUNT),
        cooldown_until=np.zeros((R, n), dtype=COUNT),
        posts=np.zeros((R, n), dtype=COUNT),
        engaged=np.zeros((R, n), dtype=COUNT),
        criticised=np.zeros((R, n), dtype=COUNT),
        lapses=np.zeros((R, n), dtype=COUNT),
        pullbacks=np.zeros((R, n), dtype=COUNT),
        left_strategy=np.zeros((R, n), dtype=bool),
        adopted_at=np.where(poster, COUNT(0), COUNT(-1)),
        source=np.where(poster, np.int8(SOURCES.index("spontaneous")), np.int8(-1)),
        guideline_gain=np.zeros((R, n)),
        exposure=np.zeros((len(KINDS), R, n)),
    )


def _draw_row(
    n: int,
    p: PeopleParams,
    rng: np.random.Generator,
    threshold: np.ndarray,
    innovator: np.ndarray,
    risk_aversion: np.ndarray,
    explicit: np.ndarray,
    stage: np.ndarray,
) -> None:
    """One replication's traits and initial stages, drawn in this order into the given rows."""
    normal = rng.standard_normal(n)
    normal *= p.threshold_sd
    normal += p.threshold_mean  # threshold_mean + threshold_sd * normal, in place
    np.clip(normal, 0, 1, out=threshold)
    np.less(rng.random(n), p.innovators, out=innovator)
    threshold[innovator] = 0.0
    risk_aversion[:] = _beta(rng, p.risk_aversion_mean, n)
    explicit[:] = _beta(rng, p.explicit_initial, n)
    u = rng.random(n)
    stage[:] = NON_USER
    stage[u < p.initial_posters + p.initial_aware] = LISTENER
    stage[u < p.initial_posters] = POSTER


def _beta(rng: np.random.Generator, mean: float, n: int, concentration: float = 4.0) -> np.ndarray:
    """Beta draws with the given mean; degenerate at 0 and 1 (a draw is still consumed)."""
    a = max(mean, 1e-9) * concentration
    b = max(1 - mean, 1e-9) * concentration
    draws = rng.beta(a, b, size=n)
    if mean <= 0 or mean >= 1:
        return np.full(n, float(mean))
    return draws


def efficacy(state: State, explicit_weight: float) -> np.ndarray:
    """Efficacy: explicit and tacit know-how, weighted ``explicit_weight : 1 - weight``."""
    return np.asarray(explicit_weight * state.explicit + (1 - explicit_weight) * state.tacit)
