"""Leader strategies: who models, delegates, listens or restricts, and when.

A strategy is assigned per leader (by level, role, unit, title or id, see
:mod:`simulator.selectors`) with a schedule: it acts during steps ``start+1 .. stop``.
While it acts:

- ``model``: the leader is held a poster and posts at the rule's rate.
- ``delegate``: the leader is held a silent listener; delegates (one report per leader, or a
  central comms team) are held posters; a guideline memo reaches the leader's part of the
  organisation in the first step (raising explicit know-how up to a cap, and awareness).
- ``listen``: the leader is held a silent listener.
- ``restrict``: the leader is held a non-user; their part of the organisation has a lower
  comfort baseline and less time to post.
- ``none``: the leader decides like everyone else.

A held leader or delegate who pulls back after criticism leaves the role for good.
"""

from __future__ import annotations

import warnings
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

import numpy as np
import scipy.sparse as sp
from numba import njit

from simulator.orgchart import Org, draw_follows
from simulator.params import STRATEGIES, Params
from simulator.selectors import parse_selector
from simulator.sparse import CodedValues, pair_rows, report_rows
from simulator.state import LISTENER, NON_USER, POSTER, State

MODEL, DELEGATE, LISTEN, RESTRICT, NONE = (STRATEGIES.index(s) for s in STRATEGIES)
STEP = np.int32
"""dtype of the schedules' steps (at most 1,000,000 by the parameters' bounds)."""
FOREVER = np.iinfo(STEP).max
HELD_STAGE = {MODEL: POSTER, DELEGATE: LISTENER, LISTEN: LISTENER, RESTRICT: NON_USER}
_NO_ONE = np.zeros(0, dtype=np.int64)


class AssignmentError(ValueError):
    """A strategy assignment that the organisation cannot satisfy."""


@dataclass(frozen=True)
class Assignment:
    """Strategies, schedules and delegates, per person (arrays of shape ``(n,)``)."""

    strategy: np.ndarray  # int8 code into STRATEGIES; NONE for people without one
    rates: CodedValues  # posts/week while modeling (a few distinct rates, coded)
    start: np.ndarray  # int32 (STEP), read-only: one value broadcast when all share it
    stop: np.ndarray  # int32 (STEP), FOREVER if the strategy never stops; as ``start``
    delegates: sp.csr_matrix  # (n, n): row = delegating leader, column = delegate
    delegate_rate: np.ndarray  # posts/week of each delegate (0 for others; read-only)
    follows: np.ndarray  # (f, 2) extra follow ties (follower, delegate)

    @property
    def rate(self) -> np.ndarray:
        """Posts/week of each person while modeling (a new float64 array)."""
        return self.rates.values()

    @cached_property
    def is_delegate(self) -> np.ndarray:
        """(n,) bool: the people appointed as someone's delegate (read-only)."""
        return _delegated(self.delegates)

    def kind(self, org: Org) -> np.ndarray:
        """Kind of each account for attribution: 0 leader, 1 peer, 2 delegate."""
        leader = org.is_leader | (self.strategy != NONE)
        return np.where(self.is_delegate, 2, np.where(leader, 0, 1)).astype(np.int8)


@dataclass(frozen=True)
class Actions:
    """What the strategies do in one step (phase 1, interventions)."""

    held: np.ndarray  # (R, n) int8: stage a person is held at, -1 if free
    rate_code: np.ndarray  # (R, n) uint16: a poster's posts/week this step, as codes into
    rate_table: np.ndarray  # the few distinct rates (float64)
    free_code: np.ndarray  # (2,) the code a poster free of a role posts at: not restricted,
    # restricted (the rate of a held poster who leaves the role, from the next step on)
    restricted: np.ndarray  # (n,) bool, under a restricting leader
    memo: np.ndarray  # (n,) bool, receives a guideline memo this step
    delegating: np.ndarray  # (n,) bool, leaders whose delegation acts this step

    @property
    def rate(self) -> np.ndarray:
        """``(R, n)`` posts/week of a poster this step (a new float64 array)."""
        return self.rate_table[self.rate_code]

    @cached_property
    def any_memo(self) -> bool:
        """Whether anyone receives a memo this step (worked out once: the same actions
        serve every step until they change)."""
        return bool(self.memo.any())


def _never_acting(picks: list[tuple[np.ndarray, tuple[Any, ...]]], steps: int) -> None:
    """Warn of a strategy that starts at or after the horizon (it acts in weeks ``start+1``
    to ``stop``, so never within the run): ``leaders.start = 60`` for 6, with 52 steps. Only
    a setting that still applies to some leader (a later pick takes over the leaders it
    selects) warns; the common case, nothing late, costs no array."""
    for i, (mask, (name, _, first, _)) in enumerate(picks):
        if name == "none" or first < steps:
            continue
        taken = [later for later, _ in picks[i + 1 :]]
        if (mask & ~np.logical_or.reduce(taken) if taken else mask).any():
            where = "leaders.start" if i == 0 else f"leaders.rules[{i - 1}].start"
            warnings.warn(
                f"{where} = {first} is not before the horizon (steps = {steps}): the leaders"
                f" it applies to never {name} within the run (a strategy acts in weeks"
                " start+1 to stop)",
                UserWarning,
                stacklevel=3,
            )


def assign(org: Org, params: Params, rng: np.random.Generator) -> Assignment:
    """Apply the leaders' default strategy and rules, then appoint delegates.

    Parameters
    ----------
    rng : numpy.random.Generator
        The run's assignment stream (used only to choose delegates).
    """
    lp = params.leaders
    n = org.n
    strategy = np.full(n, NONE, dtype=np.int8)
    rate = np.zeros(n)
    start = np.zeros(n, dtype=STEP)
    stop = np.full(n, FOREVER, dtype=STEP)
    default = (lp.strategy, lp.rate, lp.start, lp.stop)  # (a StrategyRule's fields)
    picks = [(org.is_leader & (org.level < lp.levels), default)]
    for i, rule in enumerate(lp.rules):
        selector = parse_selector(rule.who)
        mask = selector.mask(org)
        passed = selector.named_non_leaders(org)
        if passed and mask.any():  # (picking no leader at all is said below)
            some = ", ".join(passed[:5]) + (
                f" and {len(passed) - 5:,} more" if len(passed) > 5 else ""
            )
            warnings.warn(
                f"leaders.rules[{i}] (who = {rule.who!r}) names {some}, who"
                f" {'has' if len(passed) == 1 else 'have'} no reports in this organisation:"
                " a strategy applies to leaders (people with reports) only, so the rule"
                " leaves them out",
                UserWarning,
                stacklevel=2,
            )
        if not mask.any():
            warnings.warn(
                f"leaders.rules[{i}] (who = {rule.who!r}) picks no leader of this"
                f" {org.n:,}-person organisation (leaders sit on levels"
                f" {', '.join(map(str, np.unique(org.level[org.is_leader])))}); it changes"
                " nothing",
                UserWarning,
                stacklevel=2,
            )
        picks.append((mask, (rule.strategy, rule.rate, rule.start, rule.stop)))
    for mask, (name, posts, first, last) in picks:
        strategy[mask] = STRATEGIES.index(name)
        rate[mask] = posts
        start[mask] = first
        stop[mask] = FOREVER if last is None else last
    _never_acting(picks, params.steps)
    start, stop = _shared(start), _shared(stop)
    delegates = _appoint(org, params, strategy, rng)
    is_delegate = _delegated(delegates)
    delegate_rate = _delegate_rates(params, strategy, rate, delegates, is_delegate)
    follows = np.zeros((0, 2), dtype=np.int64)
    if params.delegation.followed:
        followed = _for_top_leaders(org, delegates, params.org.follow_levels)
        follows = draw_follows(followed, params.org.follow_prob, rng)
    assignment = Assignment(
        strategy, CodedValues.of(rate), start, stop, delegates, delegate_rate, follows
    )
    assignment.__dict__["is_delegate"] = is_delegate  # made already: kept as if on demand
    return assignment


@njit(cache=True)
def _held(
    t: int,
    has_strategy: np.ndarray,
    start: np.ndarray,
    stop: np.ndarray,
    strategy: np.ndarray,
    held_stage: np.ndarray,
    own_code: np.ndarray,
    d_ptr: np.ndarray,
    d_idx: np.ndarray,
    delegate_code: np.ndarray,
    acting: np.ndarray,
    held: np.ndarray,
    delegating: np.ndarray,
    delegate_on: np.ndarray,
    role: np.ndarray,
) -> None:
    """Who acts in step ``t`` (``acting``), the stage each acting leader is held at (-1: not
    held), the delegating leaders, and their delegates (``d_ptr, d_idx``: each leader's
    delegates), who act, held as posters, while any of their leaders does. ``role``: the
    rate code a held poster posts at, their own (``own_code``) or, for a delegate, the
    delegate's (``delegate_code``). A ``start`` or ``stop`` of one value is everyone's (the
    loop then reads no per-person schedule, and is vectorised)."""
    one_start, one_stop = len(start) == 1, len(stop) == 1
    for i in range(len(held)):
        on = (
            has_strategy[i] & (start[0 if one_start else i] < t) & (t <= stop[0 if one_stop else i])
        )
        acting[i] = on
        held[i] = held_stage[i] if on else -1
        delegating[i] = on & (strategy[i] == DELEGATE)
        role[i] = own_code[i]
    delegate_on[:] = False
    for i in range(len(d_ptr) - 1):
        if delegating[i]:
            for q in range(d_ptr[i], d_ptr[i + 1]):
                delegate_on[d_idx[q]] = True
    for i in range(len(d_ptr) - 1):
        if delegate_on[i]:
            held[i] = POSTER
            role[i] = delegate_code[i]


@njit(cache=True)
def _rate_codes(
    held: np.ndarray,
    left: np.ndarray,
    role: np.ndarray,
    base_code: int,
    restricted: np.ndarray,
    restricted_shift: int,
    held_r: np.ndarray,
    out: np.ndarray,
) -> None:
    """Each replication's held stages (``held``, but -1 for people who ``left`` their role)
    and posting rates as codes: the ``role`` rate's if held as a poster, else ``base_code``;
    plus ``restricted_shift`` under a restricting leader (the same rate times the time
    factor). A loop without branches: the compiler vectorises it."""
    R, n = held_r.shape
    for r in range(R):
        for i in range(n):
            h = -1 if left[r, i] else held[i]
            held_r[r, i] = h
            code = role[i] if h == POSTER else base_code
            out[r, i] = code + (restricted_shift if restricted[i] else 0)


def _shared(values: np.ndarray) -> np.ndarray:
    """``values`` read-only; one value broadcast if all are equal (the usual schedule: at a
    million people, 4 MB less each for starts and stops)."""
    if len(values) and (values == values[0]).all():
        return np.broadcast_to(np.array(values[0], dtype=values.dtype), values.shape)
    values.flags.writeable = False
    return values


def _appoint(
    org: Org, params: Params, strategy: np.ndarray, rng: np.random.Generator
) -> sp.csr_matrix:
    n = org.n
    leaders = np.flatnonzero(strategy == DELEGATE)
    free = strategy == NONE
    rows: list[int] = []
    cols: list[int] = []
    if len(leaders) and params.delegation.mode == "comms_team":
        pool = np.flatnonzero(free & ~org.is_leader)
        size = params.delegation.comms_team_size
        if size > len(pool):
            raise AssignmentError(
                f"delegation.comms_team_size = {size} exceeds the {len(pool)} people without "
                "reports or a strategy who could form the comms team"
            )
        team = np.sort(rng.choice(pool, size=size, replace=False))
        rows = np.repeat(leaders, size).tolist()
        cols = np.tile(team, len(leaders)).tolist()
    elif len(leaders):
        taken = np.zeros(n, dtype=bool)
        ptr, reports = report_rows(org.manager)
        for leader in leaders[np.argsort(org.level[leaders], kind="stable")]:
            layer = reports[ptr[leader] : ptr[leader + 1]]
            while len(layer):
                ok = layer[free[layer] & ~taken[layer]]
                if len(ok):
                    pick = int(ok[rng.integers(0, len(ok), dtype=np.int64)])  # (= choice)
                    taken[pick] = True
                    rows.append(int(leader))
                    cols.append(pick)
                    break
                layer = np.concatenate([reports[ptr[c] : ptr[c + 1]] for c in layer])
        if len(set(rows)) < len(leaders):
            warnings.warn(
                "some delegating leaders have no one below them to appoint as their delegate"
                " (everyone there leads with a strategy or serves another leader): their"
                " posts are not made, so delegation posts less than modeling would"
                + (" (delegation.fair_posts cannot hold)" if params.delegation.fair_posts else "")
                + "; fewer strategy levels (leaders.levels) or delegation.mode = 'comms_team'"
                " avoid it",
                UserWarning,
                stacklevel=3,
            )
    return _csr_of_pairs(np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64), n)


def _for_top_leaders(org: Org, delegates: sp.csr_matrix, follow_levels: int) -> np.ndarray:
    """(n,) bool: the delegates of leaders whose own accounts the follow layer holds (levels
    below ``org.follow_levels``): followed organisation-wide in their place, so that
    delegation has as many widely visible posting accounts as modeling (a lower leader's
    delegate is not followed, as that leader is not)."""
    top = org.is_leader & (org.level < follow_levels)
    leader = np.repeat(np.arange(org.n), np.diff(delegates.indptr))
    mask = np.zeros(org.n, dtype=bool)
    mask[delegates.indices[top[leader]]] = True
    return mask


def _csr_of_pairs(rows: np.ndarray, cols: np.ndarray, n: int) -> sp.csr_matrix:
    """The ``(n, n)`` matrix with a one at each ``(row, col)`` pair, built from its CSR rows
    (:func:`~simulator.sparse.pair_rows`): scipy's conversion from pairs costs more than the
    few delegates' appointment itself."""
    indptr, indices = pair_rows(n, np.column_stack((rows, cols)), both_ways=False)
    return sp.csr_matrix((np.ones(len(indices)), indices, indptr.astype(np.int32)), shape=(n, n))


def _delegated(delegates: sp.csr_matrix) -> np.ndarray:
    """(n,) bool, read-only: the columns of ``delegates`` with an entry (all its entries are
    ones: the people who are someone's delegate), read from its pattern."""
    mask = np.zeros(delegates.shape[1], dtype=bool)
    mask[delegates.indices] = True
    mask.flags.writeable = False
    return mask


def team_rate(rate: np.ndarray, delegating: np.ndarray, team: np.ndarray) -> float:
    """Posts/week of each member of a comms ``team`` posting for the ``delegating`` leaders
    (fair_posts): the leaders' weekly posts (``rate``), shared by the team."""
    return float(rate[delegating].sum() / team.sum())


def _delegate_rates(
    params: Params,
    strategy: np.ndarray,
    rate: np.ndarray,
    delegates: sp.csr_matrix,
    is_delegate: np.ndarray,
) -> np.ndarray:
    n = len(strategy)
    if not is_delegate.any():
        return np.broadcast_to(np.float64(0.0), n)  # no delegates: zeros, in no memory
    out = np.zeros(n)
    dp = params.delegation
    if not dp.fair_posts:
        out[is_delegate] = dp.rate
    elif dp.mode == "comms_team":
        out[is_delegate] = team_rate(rate, strategy == DELEGATE, is_delegate)
    else:  # one delegate per leader: the leader's own rate
        leader = np.repeat(np.arange(n), np.diff(delegates.indptr))
        out[delegates.indices] = rate[leader]
    return out


class Strategies:
    """Turns an :class:`Assignment` into per-step :class:`Actions`."""

    def __init__(self, org: Org, params: Params, assignment: Assignment) -> None:
        self.org = org
        self.a = assignment
        self.base_rate = float(params.people.posting_rate)  # of everyone free to decide
        self.time_factor = params.restriction.time_factor
        self.has_strategy = assignment.strategy != NONE
        self.held_stage = np.full(org.n, -1, dtype=np.int8)
        for code, stage in HELD_STAGE.items():
            self.held_stage[assignment.strategy == code] = stage
        self._subtree = cache(self._subtree_of)
        # the steps after which someone's schedule starts or stops (sorted): who acts in step
        # t depends only on how many of them come before t; a memo goes out only right after
        # a delegating leader's schedule starts
        timed = assignment.start[self.has_strategy], assignment.stop[self.has_strategy]
        self._turns: list[int] = np.unique(np.concatenate(timed)).tolist()
        self._memo_turns = frozenset(assignment.start[assignment.strategy == DELEGATE].tolist())
        self._restricts = bool((assignment.strategy == RESTRICT).any())
        self._last: tuple[tuple[int, int, tuple[int, ...]], int, Actions] | None = None
        # every rate a poster can post at (sorted), and where each role rate is among them;
        # the actions' table adds the same rates times the time factor
        own = assignment.rates.table
        # a comms team posting for its leaders' posts (fair_posts) posts, each week, what
        # the delegating leaders acting that week would have: its rate changes at their turns
        dp = params.delegation
        fair_team = dp.mode == "comms_team" and dp.fair_posts and assignment.delegates.nnz > 0
        self._team = assignment.is_delegate if fair_team else None
        weeks = [1, *(u + 1 for u in self._turns if u < FOREVER)] if fair_team else []
        delegating = [self._delegating(t) for t in weeks]
        team_rates = [self._team_rate(d) for d in delegating if d.any()]
        self._posting = np.unique(
            np.concatenate([own, [self.base_rate], assignment.delegate_rate, team_rates])
        )
        self._rates = np.concatenate([self._posting, self._posting * self.time_factor])
        self._base_code = int(np.searchsorted(self._posting, self.base_rate))
        code_type = CodedValues.code_type(len(self._rates))
        self._free_code = np.array(
            [self._base_code, self._base_code + len(self._posting)], dtype=code_type
        )
        own_at = np.searchsorted(self._posting, own).astype(code_type)
        self._own_code = own_at[assignment.rates.codes]
        self._delegate_code = _NO_ONE.astype(code_type)  # no delegates: not read
        if assignment.delegates.nnz:
            where = np.searchsorted(self._posting, assignment.delegate_rate)
            self._delegate_code = where.astype(code_type)
        # a schedule everyone shares (broadcast) goes to the compiled pass as its one value
        self._schedule = tuple(
            when[:1] if when.strides == (0,) else when
            for when in (assignment.start, assignment.stop)
        )

    def acting(self, t: int) -> np.ndarray:
        """Leaders whose strategy acts in step ``t`` (shape ``(n,)``)."""
        return self.has_strategy & (self.a.start < t) & (t <= self.a.stop)

    def _team_rate(self, delegating: np.ndarray) -> float:
        """Posts/week of each comms team member in a week whose delegating leaders acting
        are ``delegating`` (:func:`team_rate`)."""
        assert self._team is not None
        return team_rate(self.a.rate, delegating, self._team)

    def _delegating(self, t: int) -> np.ndarray:
        return self.acting(t) & (self.a.strategy == DELEGATE)

    def steady(self, t: int) -> int:
        """How many steps from step ``t`` on take :meth:`actions` ``t``'s actions, as long
        as no one leaves their role: up to the next step a schedule starts or stops in,
        with a memo's step on its own (at least 1)."""
        if t - 1 in self._memo_turns:
            return 1
        # the actions of step u depend on the turns before u: the same until a turn at or
        # after t is passed; a memo goes out the step after its turn
        turn = bisect_left(self._turns, t)
        return self._turns[turn] + 1 - t if turn < len(self._turns) else 1 << 30

    def actions(self, t: int, state: State) -> Actions:
        """Phase 1 of step ``t``: who is held at which stage, posting rates, memos.

        The actions change only when a schedule starts or stops, a memo goes out or someone
        leaves their role; otherwise last step's (read-only) actions are returned again.
        """
        a = self.a
        turned = t if t - 1 in self._memo_turns else -1  # a memo's step: its own
        key = (bisect_left(self._turns, t), turned, state.left_strategy.shape)
        left = int(np.count_nonzero(state.left_strategy))  # people only ever leave a role
        if self._last is not None and self._last[0] == key and self._last[1] == left:
            return self._last[2]
        memo_from = _NO_ONE
        if turned >= 0:
            memo_from = np.flatnonzero((a.strategy == DELEGATE) & (a.start + 1 == t))
        actions = self._actions(t, memo_from, state)
        for array in vars(actions).values():
            array.flags.writeable = False
        self._last = (key, left, actions)
        return actions

    def _actions(self, t: int, memo_from: np.ndarray, state: State) -> Actions:
        a, n = self.a, self.org.n
        acting, held = np.empty(n, dtype=bool), np.empty(n, dtype=np.int8)
        delegating, delegate_on = np.empty(n, dtype=bool), np.empty(n, dtype=bool)
        role = np.empty(n, dtype=self._own_code.dtype)  # held posters: the role's rate
        d = a.delegates  # delegates act while any of their delegating leaders does
        d_ptr, d_idx = (d.indptr, d.indices) if d.nnz else (_NO_ONE, _NO_ONE)
        delegate_code = self._delegate_code
        now = self._delegating(t) if self._team is not None else _NO_ONE
        if now.any():  # a comms team: its rate this week (see __init__)
            delegate_code = delegate_code.copy()
            delegate_code[self._team] = np.searchsorted(self._posting, self._team_rate(now))
        _held(
            t, self.has_strategy, *self._schedule, a.strategy, self.held_stage, self._own_code,
            d_ptr, d_idx, delegate_code, acting, held, delegating, delegate_on, role,
        )  # fmt: skip
        # held posters post at their role's rate; the rest, and people who left their role,
        # at the employees' rate; less under a restricting leader (codes into self._rates)
        restricting = _NO_ONE
        if self._restricts:
            restricting = np.flatnonzero(acting & (a.strategy == RESTRICT))
        restricted = self._subtree(restricting.tobytes())
        held_r = np.empty(state.left_strategy.shape, dtype=np.int8)
        rate_code = np.empty(held_r.shape, role.dtype)
        _rate_codes(
            held, state.left_strategy, role, self._base_code, restricted, len(self._posting),
            held_r, rate_code,
        )  # fmt: skip
        memo = self._subtree(memo_from.tobytes())  # (no memo: the no-one mask, shared)
        return Actions(
            held=held_r,
            rate_code=rate_code,
            rate_table=self._rates,
            free_code=self._free_code,
            restricted=restricted,
            memo=memo,
            delegating=delegating,
        )

    def __getstate__(self) -> dict[str, object]:
        """Picklable (a model sent to a worker process, or saved): without the cache of
        subtrees, which is rebuilt on demand."""
        state = self.__dict__.copy()
        del state["_subtree"]
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._subtree = cache(self._subtree_of)

    def _subtree_of(self, key: bytes) -> np.ndarray:
        people = np.frombuffer(key, dtype=np.int64)
        mask = np.zeros(self.org.n, dtype=bool) if len(people) == 0 else self.org.subtree(people)
        mask.flags.writeable = False  # shared by the weeks' actions (and read-only in all of
        # them, so that compiled code that reads it is compiled for one type)
        return mask


__all__ = ["Actions", "Assignment", "Strategies", "assign"]
