"""The contract every adoption rule follows, and what they share.

A mechanism is a class registered by name. It is built once per run from a :class:`Context`
(the compiled organisation, parameters and strategy assignment), may draw per-person traits
in :meth:`Mechanism.initialise`, and advances the :class:`~simulator.state.State` by one step in
:meth:`Mechanism.step`, given the step's strategy :class:`~simulator.strategies.Actions` and
its uniform draws (one ``(R, n)`` array per slot it declares in ``slots``). Steps are
synchronous: every transition reads the stages at the end of the previous step.

All state arrays carry a leading replication axis; kernels never loop over people.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import scipy.sparse as sp

from simulator.attention import Attention, endorsement_weights, observation, spread
from simulator.orgchart import Org
from simulator.params import Params
from simulator.sparse import Coded, Ties, observers, unattended_rows
from simulator.state import EVENTS, KINDS, LISTENER, POSTER, SOURCES, State
from simulator.strategies import Actions, Assignment

if TYPE_CHECKING:
    from simulator.metrics import Recorder


@dataclass(frozen=True, eq=False)
class Context:
    """Everything static about a run, compiled once."""

    org: Org
    params: Params
    assignment: Assignment
    attention: Attention
    own_follows: int  # the organisation's follow ties (before followed delegates joined)
    kind: np.ndarray  # (n,) index into KINDS
    top: np.ndarray  # (n,) bool: followed-level leaders
    cross_observers: np.ndarray  # (n,) observers of each person in another unit
    most_observed: int  # the most accounts anyone observes (see ``observed``)
    source: Org  # the organisation as given (``org`` before followed delegates joined)
    compiled: dict[object, Any]  # what mechanisms compiled from the network, by their key;
    # shared by the contexts that share the network (see ``build``)

    NETWORK: ClassVar[tuple[str, ...]] = (
        "org",
        "attention",
        "own_follows",
        "cross_observers",
        "most_observed",
        "source",
        "compiled",
    )
    """The fields that depend only on the organisation, the attention parameters and the
    followed delegates: the network, which contexts built alike share."""

    @classmethod
    def build(
        cls, org: Org, params: Params, assignment: Assignment, like: Context | None = None
    ) -> Context:
        """Compile the network; followed delegates (if any) join the follow layer.

        One's own leaders (for endorsement) are the chain of command and the followed top
        leaders only: a followed delegate endorses through their leader. The matrices are
        compiled from the organisation's ties (:meth:`~simulator.orgchart.Org.ties`), not from
        its scipy layers.

        ``like``: an earlier context. If it was built on the same organisation (the same
        object) with the same attention parameters and followed delegates, its network is
        this one too: it is reused with what mechanisms compiled from it
        (:attr:`compiled`), not compiled again (the arms of a sweep's design point, such as
        modeling and delegating without followed delegates, share it). With other followed
        delegates only, what does not depend on them is taken from it: the endorsement
        weights (one's own leaders, without the delegates) and the neighbour weights.
        """
        if like is not None and like.network_of(org, params, assignment):
            network = {name: getattr(like, name) for name in cls.NETWORK}
            endorse = like.__dict__.get("endorse_weights")
        else:
            kin = like if like is not None and like.ties_of(org, params) else None
            network = _network(org, params, assignment, kin)
            endorse = network.pop("endorse")
        net = network["org"]
        ctx = cls(
            params=params,
            assignment=assignment,
            kind=assignment.kind(net),
            top=(net.level < params.org.follow_levels) & net.is_leader,
            **network,
        )
        if endorse is not None:  # made already: kept as if made on demand
            ctx.__dict__["endorse_weights"] = endorse
        return ctx

    def network_of(self, org: Org, params: Params, assignment: Assignment) -> bool:
        """Whether this context's network is the one :meth:`build` compiles for ``org``,
        ``params`` and ``assignment`` (without compiling it)."""
        return self.ties_of(org, params) and np.array_equal(
            self.assignment.follows, assignment.follows
        )

    def ties_of(self, org: Org, params: Params) -> bool:
        """Whether this context was built on ``org`` (the same object) with the same attention
        parameters: its network is then the one :meth:`build` compiles for them but for the
        followed delegates."""
        return self.source is org and self.params.attention == params.attention

    @cached_property
    def endorse_weights(self) -> Coded:
        """The weights of each person's own leaders, coded (made again on demand after
        :meth:`forget_endorse_weights`)."""
        org = self.org
        ties = Ties.of(
            org.manager, org.lateral, org.follows[: self.own_follows], team=org.team_ties
        )
        return endorsement_weights(org, self.params.attention, ties)

    def forget_endorse_weights(self) -> None:
        """Free :attr:`endorse_weights` (a mechanism that keeps its own copy calls this)."""
        self.__dict__.pop("endorse_weights", None)

    @cached_property
    def observed(self) -> np.ndarray:
        """(n,) int32: how many accounts each person observes (counted on first use)."""
        return observers(self.org.ties(), self.org.unit)[1]

    @cached_property
    def observe(self) -> sp.csr_matrix:
        """Binary matrix of who observes whom (row i observes column j), made on first use."""
        return observation(self.org)

    @property
    def endorse(self) -> sp.csr_matrix:
        """Weights of each person's own leaders (a scipy copy, for inspection)."""
        return self.endorse_weights.csr()

    def unattended(self) -> tuple[np.ndarray, np.ndarray]:
        """CSR ``(indptr, indices)`` of the observed accounts that take no attention (tie
        types or follows of weight 0): with the attention's neighbours and followed accounts
        they make up everyone a person observes. Empty unless a weight is 0."""
        att, p = self.attention, self.params.attention
        weights = (p.manager_weight, p.report_weight, p.team_weight, p.lateral_weight)
        if min(weights) > 0 and p.follow_weight > 0:
            return np.zeros(self.org.n + 1, dtype=np.int32), np.zeros(0, dtype=np.int32)
        return unattended_rows(self.org.ties(), [att.neighbour_weights, att.follow_weights])


def _network(
    org: Org, params: Params, assignment: Assignment, kin: Context | None = None
) -> dict[str, Any]:
    """The network fields of :meth:`Context.build`'s context (:attr:`Context.NETWORK`),
    compiled, and the endorsement weights (``endorse``). ``kin``: a context of the same
    organisation and attention parameters with other followed delegates, whose endorsement
    and neighbour weights are these too (taken where it still holds them)."""
    ties = org.ties()
    endorse = None if kin is None else kin.__dict__.get("endorse_weights")
    if endorse is None:
        endorse = endorsement_weights(org, params.attention, ties)
    source, own_follows = org, len(org.follows)
    if len(assignment.follows):
        org = org.with_follows(assignment.follows)
        ties = org.ties()
    cross, observed = observers(ties, org.unit)
    most_observed = int(observed.max(initial=0))
    del observed  # counted again on demand (``observed``): few mechanisms need it
    attention = Attention.build(org, params.attention, ties, None if kin is None else kin.attention)
    return {
        "org": org,
        "attention": attention,
        "own_follows": own_follows,
        "cross_observers": cross,
        "most_observed": most_observed,
        "source": source,
        "compiled": {},
        "endorse": endorse,
    }


@dataclass
class Events:
    """What happened in one step, counted per replication (arrays of shape ``(R,)``)."""

    replications: int
    counts: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in EVENTS:
            if name not in self.counts:
                self.counts[name] = np.zeros(self.replications)
        if "adoptions" not in self.counts:
            self.counts["adoptions"] = np.zeros((self.replications, len(SOURCES)))

    def add(self, name: str, per_person: np.ndarray) -> None:
        """Add the per-person counts ``(R, n)`` of event ``name``."""
        self.counts[name] = self.counts[name] + np.asarray(per_person, dtype=float).sum(axis=1)


class Mechanism(ABC):
    """An adoption rule. Subclasses set ``name``, ``slots``, ``reference`` and ``step``."""

    name: ClassVar[str]
    slots: ClassVar[tuple[str, ...]] = ()
    reference: ClassVar[str] = ""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.p: Any = ctx.params.mechanism

    def initialise(self, state: State, rngs: Sequence[np.random.Generator]) -> None:  # noqa: B027
        """Draw mechanism-specific traits at the start (one generator per replication)."""

    @abstractmethod
    def step(self, state: State, actions: Actions, u: Mapping[str, np.ndarray], t: int) -> Events:
        """Advance ``state`` by step ``t`` in place and return the step's events."""

    def run_weeks(
        self,
        state: State,
        actions: Actions,
        u: Mapping[str, np.ndarray],
        t: int,
        weeks: int,
        recorder: Recorder,
    ) -> int:
        """Advance by up to ``weeks`` steps from step ``t``, all under ``actions`` (``u``:
        step ``t``'s draws), each step recorded by ``recorder``; return the steps run (at
        least one). The same numbers as :meth:`step` step after step. Here: one step."""
        recorder.record(state, self.step(state, actions, u, t))
        return 1


# --- shared pieces ----------------------------------------------------------------------


def attribute(exposure: np.ndarray, guideline: np.ndarray | None = None) -> np.ndarray:
    """Main source of an adoption: the kind with the most accumulated exposure.

    ``guideline`` marks adopters for whom the guidelines were pivotal; they are attributed
    to the guideline. Without exposure and guideline the adoption is spontaneous.
    Returns codes into :data:`~simulator.state.SOURCES`, shape ``(R, n)``.
    """
    by_kind = np.array([SOURCES.index(k) for k in KINDS])
    code = by_kind[np.argmax(exposure, axis=0)]
    code = np.where(exposure.max(axis=0) > 0, code, SOURCES.index("spontaneous"))
    if guideline is not None:
        code = np.where(guideline, SOURCES.index("guideline"), code)
    return code.astype(np.int8)


def settle(
    state: State,
    new_stage: np.ndarray,
    actions: Actions,
    t: int,
    events: Events,
    source: np.ndarray,
) -> None:
    """Apply held stages, record adoptions (with their source) and replace the stages."""
    held = actions.held
    new_stage = np.where(held >= 0, held, new_stage).astype(np.int8)
    adopted = (state.stage != POSTER) & (new_stage == POSTER)
    code = np.where(held == POSTER, SOURCES.index("assigned"), source).astype(np.int8)
    first = adopted & (state.adopted_at < 0)
    state.adopted_at = np.where(first, t, state.adopted_at)
    state.source = np.where(first, code, state.source).astype(np.int8)
    counts = events.counts["adoptions"]
    for s in range(len(SOURCES)):
        counts[:, s] += (adopted & (code == s)).sum(axis=1)
    state.stage = new_stage


def hold(state: State, actions: Actions, t: int, events: Events) -> None:
    """Phase 1: people whose strategy starts or stops take their held stage now."""
    start = np.where(actions.held >= 0, actions.held, state.stage).astype(np.int8)
    if (start != state.stage).any():
        settle(state, start, actions, t, events, np.full(state.stage.shape, -1, np.int8))


class Classic(Mechanism):
    """Shared shape of the textbook rules: two states, adopted (= poster) or not.

    Adopters post once per step, so that posts, reach and cross-unit observations mean the
    same as under social learning. Strategies act only through held stages (docs/ODD.md).
    Subclasses implement :meth:`adopt` (and may override :meth:`abandon`).
    """

    slots: ClassVar[tuple[str, ...]] = ("exposure",)

    def step(self, state: State, actions: Actions, u: Mapping[str, np.ndarray], t: int) -> Events:
        events = Events(state.replications)
        hold(state, actions, t, events)
        adopted = state.stage == POSTER
        state.posts = state.posts + adopted
        state.last_post = np.where(adopted, t, state.last_post)
        events.add("posts", adopted)
        events.add("cross_unit", adopted * self.ctx.cross_observers)
        free = actions.held < 0
        new = free & ~adopted & self.adopt(state, adopted, u)
        gone = self.abandon(state, free & adopted, u)
        new_stage = np.where(new, POSTER, state.stage)
        new_stage = np.where(gone, LISTENER, new_stage).astype(np.int8)
        events.add("lapses", gone)
        state.lapses = state.lapses + gone
        settle(state, new_stage, actions, t, events, self.sources(adopted, new))
        return events

    def sources(self, adopted: np.ndarray, new: np.ndarray) -> np.ndarray:
        """Main source of each new adoption: the kind most common among observed adopters.

        Computed for the new adopters' rows only (codes elsewhere are unused).
        """
        code = np.full(new.shape, SOURCES.index("spontaneous"), dtype=np.int8)
        kinds = np.eye(len(KINDS))[self.ctx.kind]  # (n, 3) one-hot
        for r in range(new.shape[0]):
            rows = np.flatnonzero(new[r])
            if len(rows):
                seen = np.asarray(self.ctx.observe[rows] @ (kinds * adopted[r][:, None]))
                code[r, rows] = attribute(seen.T[:, None, :])[0]
        return code

    @abstractmethod
    def adopt(self, state: State, adopted: np.ndarray, u: Mapping[str, np.ndarray]) -> np.ndarray:
        """Who would adopt this step among all people (the caller keeps the non-adopters)."""

    def abandon(
        self, state: State, adopters: np.ndarray, u: Mapping[str, np.ndarray]
    ) -> np.ndarray:
        """Who among the (free) ``adopters`` abandons this step."""
        return np.zeros(state.stage.shape, dtype=bool)


def observed_count(ctx: Context, adopted: np.ndarray) -> np.ndarray:
    """Number of adopters each person observes, shape ``(R, n)``."""
    return spread(ctx.observe, adopted)


def observed_total(ctx: Context) -> np.ndarray:
    """Number of accounts each person observes, shape ``(n,)``."""
    return ctx.observed.astype(float)
