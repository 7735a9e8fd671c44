"""Social learning: the flagship mechanism (docs/ODD.md, Submodels).

People learn to post by watching others post (Bandura 1977): whom they watch is weighted by
tie type and prestige; what they watch is weighed by what happens to the model (positive
engagement, criticism: vicarious reinforcement). Comfort ("people like me post here") and
efficacy (explicit know-how from guidelines, tacit know-how from observation) together form
a motivation that must reach the person's threshold (Granovetter 1978) for them to post.

References
----------
Bandura, A. (1977). *Social Learning Theory*. Prentice Hall.
Granovetter, M. (1978). Threshold models of collective behavior. *American Journal of
Sociology* 83(6), 1420-1443.
Bass, F. M. (1969). A new product growth for model consumer durables. *Management Science*
15(5), 215-227 (the broadcast term b).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numba
import numpy as np

from simulator.attention import Attention, spread
from simulator.mechanisms import sl_kernel as kernel
from simulator.mechanisms.base import Context, Events, Mechanism
from simulator.rng import SLOTS, StepDraws
from simulator.sparse import Coded, CodedValues, blocked
from simulator.state import COUNT, EVENTS, PER_PERSON, SOURCES, State
from simulator.strategies import Actions

if TYPE_CHECKING:
    from simulator.metrics import Recorder

POLICY_SIGN = {"restrictive": -1.0, "neutral": 0.0, "open": 1.0}

THREADED_FROM = 10_000
"""Organisations of at least this many people run each phase on several threads."""

BLOCKS_BELOW = 2**31
"""Organisations of fewer people (every one a run can hold: person ids are int32) learn
block by block, skipping the accounts that show nothing (:func:`sl_kernel.learn_blocks`, the
same numbers as row by row, :func:`sl_kernel.learn`; 0 makes every run learn row by row).
Their weights are then kept by column within blocks of rows, and the CSR copies that only
learning row by row reads are freed from :data:`FREE_FROM` people: at a million people the
layout takes 58 MB and frees 50 MB."""

FREE_FROM = 100_000
"""Organisations of at least this many people free the CSR copies the blocked layout holds
(:data:`BLOCKS_BELOW`). Smaller ones keep them (a few MB), so that the next arm of a sweep's
design point, on the same organisation with other followed delegates, takes its endorsement
and neighbour weights from them (:meth:`~simulator.mechanisms.base.Context.build`) instead of
compiling them again."""

ACROSS_FROM = 16
"""Batches of at least this many replications (on one thread) learn across the replications
at once (:func:`sl_kernel.learn_across`: the same numbers, faster for a large batch; smaller
batches learn each replication block by block)."""


def _threads_from_environment() -> int:
    value = os.environ.get("ORGSIM_THREADS", "")
    return int(value) if value.isdigit() and int(value) > 0 else numba.config.NUMBA_NUM_THREADS


_threads = 1


def set_threads(count: int) -> None:
    """How many threads a large organisation's week uses (default: the CPUs available, or
    the ``ORGSIM_THREADS`` environment variable; at most numba's ``NUMBA_NUM_THREADS``).

    Results do not depend on it: within a phase each person's update reads what the previous
    phase left and writes only their own row (see :func:`kernel.step_split`).
    """
    global _threads
    _threads = max(1, min(int(count), numba.config.NUMBA_NUM_THREADS))


def _main_thread() -> bool:
    """Parallel weeks run only from the main thread: a program's worker threads (Dask's,
    an app's) run in parallel already, and numba's threading layers need not be re-entrant."""
    return threading.current_thread() is threading.main_thread()


def threads() -> int:
    """The current thread count (see :func:`set_threads`)."""
    return _threads


def split(n: int) -> bool:
    """Whether work over ``n`` people runs on several threads here (and numba's thread
    count, set for it): from :data:`THREADED_FROM` people, from the main thread."""
    if n < THREADED_FROM or _threads == 1 or not _main_thread():
        return False
    numba.set_num_threads(min(_threads, numba.config.NUMBA_NUM_THREADS))  # started on use
    return True


set_threads(_threads_from_environment())


_NONE = np.zeros(0, dtype=np.uint8)
_NO_ROWS = (np.zeros(1, dtype=np.int32), np.zeros(0, dtype=np.int32))
"""No codes; the CSR pattern of no entries (see ``_rows``)."""

_NO_BLOCKS = blocked([(*_NO_ROWS, _NONE)] * 3, 0, 1).arrays
"""The blocked layout of an organisation that learns row by row (``BLOCKS_BELOW``): that of
three empty matrices over no rows."""


_NO_SUMS = (np.zeros(0, dtype=CodedValues.code_type(1)), np.zeros(0))
"""The endorsement's row sums where the kernel reads none (see ``SocialLearning.endorse_sums``)."""

_NOT_FOLLOWED = (0, np.zeros((0, 0), dtype=COUNT), np.zeros((0, 0), dtype=COUNT))
"""The first-week arguments of a kernel step that follows no one (see
``FirstWeeks.marks``)."""

_NO_RECORD = (
    np.zeros(0, dtype=np.int64),
    np.zeros(0),
    np.zeros(0, dtype=np.int64),
    np.zeros((0, 1, 3)),
    np.zeros((0, 1, 1, 3)),
    np.zeros((0, 1, 2)),
    *_NOT_FOLLOWED,
)
"""The record arguments of a kernel step that records nothing (see ``Recorder.tally_inputs``)."""


def _rows(indptr: np.ndarray, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A CSR pattern for the kernel: without entries, an index pointer of one element
    (the kernel reads none; n + 1 zeros would be 4 MB at a million people)."""
    return (indptr[:1].copy() if len(indices) == 0 else indptr), indices


def _compile(ctx: Context, posters: bool) -> tuple[object, ...]:
    """What the kernel reads of ``ctx``'s network: the unattended accounts' pattern, the
    blocked layout, the endorsement's row sums and the network arguments of a replication
    that learns block by block (:meth:`SocialLearning.network`, without the delegates)."""
    att, en, n = ctx.attention, ctx.endorse_weights, len(ctx.kind)
    # CSR patterns, weights as codes into small tables; whom one observes = neighbours +
    # followed accounts + the unattended rest
    unattended = _rows(*ctx.unattended())
    blocks, endorse_sums = _NO_BLOCKS, _NO_SUMS
    if n < BLOCKS_BELOW:
        matrices = (att.neighbour_weights, att.follow_weights, en)
        patterns = [(m.indptr, m.indices, m.codes) for m in matrices]
        blocks = blocked(patterns, n, kernel.BLOCK_ROWS).arrays
        if att.silent_count:  # every leader counts: the denominators are the rows' sums
            sums = CodedValues.of(en.dot(np.ones(n))[0])  # added in the kernel's order
            endorse_sums = sums.codes, sums.table
    # learning block by block, a non-user's count of the posters they observe is taken on
    # the way down the columns: no phase reads the attention's CSR copies
    thin = _network(att, en, unattended, weights=False, observed=not posters)
    if blocks is not _NO_BLOCKS and n >= FREE_FROM:  # (made again on demand)
        ctx.forget_endorse_weights()  # 50 MB at a million people
        if posters:
            att.forget_weights()  # 55 MB at a million people
    return unattended, blocks, endorse_sums, thin


def _network(
    att: Attention,
    en: Coded,
    unattended: tuple[np.ndarray, np.ndarray],
    weights: bool,
    observed: bool = True,
) -> tuple[np.ndarray, ...]:
    """:meth:`SocialLearning.network` without the delegates' pattern, made from the
    endorsement weights ``en``; without ``weights``, no codes and no endorsement pattern,
    only the tables; not ``observed``, no patterns of the neighbours and followed accounts
    either."""

    def coded(m: Coded, pattern: bool = True) -> tuple[np.ndarray, ...]:
        rows = (m.indptr, m.indices) if pattern else _NO_ROWS
        return (*rows, m.codes if weights else _NONE, m.table)

    return (
        *coded(att.neighbour_weights, pattern=observed),
        *coded(att.follow_weights, pattern=observed),
        *unattended,
        *coded(en, pattern=weights),
    )


class SocialLearning(Mechanism):
    """Posting, responses, attention, learning and decisions (MODEL.md phases 1-6).

    The step runs in one compiled pass (:mod:`simulator.mechanisms.sl_kernel`); this class
    compiles the organisation and parameters into the arrays it reads.
    """

    name = "social_learning"
    slots = SLOTS  # every purpose: exposure, decision, lapse, posting, responses, memo
    reference = "Bandura 1977; Granovetter 1978; Bass 1969"

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        params, att = ctx.params, ctx.attention
        r, culture, lp = params.responses, params.culture, params.learning
        d, g = params.decisions, params.delegation
        openness = culture.openness
        # the chance that a post is criticised, by class: 0 everyone, 1 followed-level leaders
        self.criticise = np.minimum(
            1.0,
            r.criticism_rate
            * (1 - openness)
            / 0.5
            * np.array([1.0, r.leader_criticism_multiplier]),
        )
        scalars = {
            kernel.P_ENGAGE: min(1.0, r.engagement_rate * openness / 0.5),
            kernel.P_COMFORT_LOSS: r.criticism_comfort_loss,
            kernel.P_PULLBACK: r.pullback_rate,
            kernel.P_COOLDOWN: r.cooldown,
            kernel.P_WINDOW: params.attention.active_window,
            kernel.P_CAP: att.cap,
            kernel.P_BASELINE: lp.culture_weight * openness
            + POLICY_SIGN[culture.policy] * culture.policy_shift,
            kernel.P_PENALTY: params.restriction.comfort_penalty,
            kernel.P_SOCIAL_W: lp.social_weight,
            kernel.P_ENDORSE_W: lp.endorsement_weight,
            kernel.P_ENGAGE_W: lp.engagement_weight,
            kernel.P_CRITIC_W: lp.criticism_weight,
            kernel.P_COMFORT_RATE: lp.comfort_rate,
            kernel.P_TACIT_RATE: lp.tacit_rate,
            kernel.P_ENDORSEMENT: g.endorsement,
            kernel.P_BROADCAST: d.broadcast,
            kernel.P_AWARENESS: d.awareness_rate,
            kernel.P_EXPLICIT_W: lp.explicit_weight,
            kernel.P_NOISE: d.noise,
            kernel.P_HYSTERESIS: d.hysteresis,
            kernel.P_G_STRENGTH: g.guideline_strength,
            kernel.P_G_CAP: g.guideline_cap,
            kernel.P_G_AWARENESS: g.guideline_awareness,
        }
        self.scalars = np.array([float(scalars[k]) for k in range(kernel.N_SCALARS)])
        # the kernel's network arguments (compiled once for the contexts that share the
        # network, see Context.build), and the delegates' pattern
        posters = d.awareness_source == "posters"
        key = (SocialLearning, posters)
        if key not in ctx.compiled:
            ctx.compiled[key] = _compile(ctx, posters)
        self._unattended, self.blocks, self.endorse_sums, thin = ctx.compiled[key]
        dl = ctx.assignment.delegates
        self._delegates = _rows(dl.indptr, dl.indices)
        self._thin = (*thin, *self._delegates)
        self._full: tuple[np.ndarray, ...] | None = None
        self.criticise_1 = 1 - (1 - self.criticise)  # the chance for one post
        most = ctx.most_observed
        self.unaware = (1 - d.awareness_rate) ** np.arange(most + 1, dtype=float)
        self.switches = (
            bool(att.silent_count),
            d.awareness_source == "posters",
            bool(d.lapse),
        )
        self._bounds: list[int] | None = None  # rows of each learning thread

    def step(self, state: State, actions: Actions, u: Mapping[str, np.ndarray], t: int) -> Events:
        """One week; phases run in order, each reading what the previous phase produced."""
        R = state.replications
        if split(state.n):
            counts, adoptions = np.zeros((R, len(EVENTS))), np.zeros((R, len(SOURCES)))
            kernel.step_split(
                *self._arguments(state, actions, u, t, threaded=True),
                counts,
                adoptions,
                np.asarray(self._row_split(_threads)),
            )
        else:
            arguments = self._arguments(state, actions, u, t, threaded=False)
            weekly, by_source = self._weeks(arguments, R, 1, _NO_RECORD)
            counts, adoptions = weekly[0], by_source[0]
        return Events(R, {**dict(zip(EVENTS, counts.T, strict=True)), "adoptions": adoptions})

    def run_weeks(
        self,
        state: State,
        actions: Actions,
        u: Mapping[str, np.ndarray],
        t: int,
        weeks: int,
        recorder: Recorder,
    ) -> int:
        """``weeks`` weeks from week ``t`` in one compiled call, each week recorded by it
        too (:func:`kernel.step`): the Python work of a week (the actions, the call, the
        record) is done once for all of them, which is most of a week's time for a small
        organisation. A held poster who leaves the role changes only their own held stage
        and rate from the next week on, which the kernel sets itself (``Actions.free_code``),
        so the call goes on; the people followed (``recorder.first_weeks``) are marked at
        each week's end by it too. One week at a time when the step is split over threads."""
        if split(state.n):
            return super().run_weeks(state, actions, u, t, weeks, recorder)
        tallies = recorder.buffers(weeks, state.replications)
        arguments = self._arguments(state, actions, u, t, threaded=False)
        first = recorder.first_weeks
        marks = _NOT_FOLLOWED if first is None else first.marks()
        record = (*recorder.tally_inputs, *tallies, *marks)
        counts, adoptions = self._weeks(arguments, state.replications, weeks, record)
        recorder.record_weeks(*tallies, counts, adoptions)
        return weeks

    def _weeks(
        self, arguments: tuple[object, ...], R: int, weeks: int, record: tuple[object, ...]
    ) -> tuple[np.ndarray, np.ndarray]:
        """``weeks`` weeks of ``R`` replications on this thread: :func:`kernel.step` on
        ``arguments`` (:meth:`_arguments`, not threaded), which fills the tallies in
        ``record`` and marks the first weeks there, each if they have rows. Returns each
        week's event counts and adoptions by source, ``(weeks, R, ...)``."""
        counts = np.zeros((weeks, R, len(EVENTS)))
        adoptions = np.zeros((weeks, R, len(SOURCES)))
        kernel.step(
            *arguments,
            counts,
            adoptions,
            True if R >= ACROSS_FROM else None,  # None, not False: see kernel.step
            True if self.blocks is _NO_BLOCKS else None,
            weeks,
            *record,
        )
        return counts, adoptions

    def _arguments(
        self, state: State, actions: Actions, u: Mapping[str, np.ndarray], t: int, threaded: bool
    ) -> tuple[object, ...]:
        """The kernel's arguments up to its outputs: the week, the keys, the state, the
        actions (``held`` and ``rate_code`` copied: the kernel edits them when someone leaves
        a role), the network and the parameters."""
        if not isinstance(u, StepDraws):
            raise TypeError("social_learning draws its own numbers: pass Draws.step(...)")
        ctx = self.ctx
        full = self.blocks is _NO_BLOCKS or (state.replications >= ACROSS_FROM and not threaded)
        return (
            t,
            u.philox_keys,
            *(getattr(state, name) for name in PER_PERSON),
            state.exposure,
            np.array(actions.held, dtype=np.int8, order="C"),
            np.array(actions.rate_code, order="C"),
            actions.rate_table,
            actions.free_code,
            actions.restricted,
            actions.memo,
            actions.any_memo,
            actions.delegating,
            *self.network(full=full),
            *self.blocks,
            ctx.kind,
            self.criticise,
            self.criticise_1,
            ctx.top,
            ctx.cross_observers,
            ctx.attention.neighbour_sums.codes,
            ctx.attention.neighbour_sums.table,
            ctx.attention.follow_sums.codes,
            ctx.attention.follow_sums.table,
            *self.endorse_sums,
            *self.switches,
            self.scalars,
            self.unaware,
        )

    def network(self, full: bool = True) -> tuple[np.ndarray, ...]:
        """The kernel's network arguments: each of the neighbour, follow, unattended,
        endorsement and delegate matrices as CSR arrays, the weighted ones with their codes
        and tables. Not ``full``: the arguments of a replication that learns block by block,
        whose weights the kernel reads from :attr:`blocks`; the codes and the endorsement's
        pattern are then empty."""
        if not full:
            return self._thin
        if self._full is None:
            ctx = self.ctx
            made = _network(ctx.attention, ctx.endorse_weights, self._unattended, weights=True)
            self._full = (*made, *self._delegates)
        return self._full

    def _row_split(self, parts: int) -> list[int]:
        """Row bounds that give each thread about the same number of ties to sum over (at
        the blocks' bounds when learning block by block)."""
        if self._bounds is None or len(self._bounds) != parts + 1:
            n = len(self.ctx.kind)
            if self.blocks is _NO_BLOCKS:
                nb, fo, en = (self.network()[k].astype(np.int64) for k in (0, 4, 10))
                work = nb + fo + en + 4 * np.arange(n + 1)  # ties + the tail, rows 0 .. i - 1
                cuts = np.searchsorted(work, work[-1] * np.arange(1, parts) / parts)
            else:
                entries = self.blocks[0][3:].sum(axis=0)  # where each block's entries start
                ends = np.minimum(np.arange(len(entries)) * kernel.BLOCK_ROWS, n)
                work = entries - entries[0] + 4 * ends  # ties + the tail, blocks 0 .. b - 1
                blocks = np.searchsorted(work, work[-1] * np.arange(1, parts) / parts)
                cuts = np.minimum(blocks * kernel.BLOCK_ROWS, n)
            self._bounds = [0, *(int(c) for c in cuts), n]
        return self._bounds

    def endorsement(self, active: np.ndarray, delegating: np.ndarray) -> np.ndarray:
        """Weighted share of one's own leaders who post (or whose delegates post, partly).

        For inspection (the step computes the same inside the kernel). ``active`` has shape
        ``(R, n)``; a delegate's posts speak for a leader only while ``delegating``.
        """
        ctx = self.ctx
        delegate_posts = (spread(ctx.assignment.delegates, active) > 0) & delegating
        signal = np.where(
            active, 1.0, np.where(delegate_posts, ctx.params.delegation.endorsement, 0.0)
        )
        counted = (
            np.ones_like(signal)
            if ctx.params.attention.silent_leaders_count
            else (signal > 0).astype(float)
        )
        num, den = spread(ctx.endorse, signal), spread(ctx.endorse, counted)
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
