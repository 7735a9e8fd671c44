"""The fused ``social_learning`` step: one compiled pass per phase, no Python loop over people.

:class:`~simulator.mechanisms.social_learning.SocialLearning` is the readable face of the
rule; this module is its engine. One call advances every replication of a batch by one week,
or by the weeks under the same actions, each recorded (:func:`step`; a small organisation's
week is otherwise mostly Python's work around the call), each replication on its own 1-D
arrays, phase by phase as docs/ODD.md orders them, so a batch equals its replications run
one by one, bit for bit. (``step`` calls the phases itself: each layer of calls between it and
them is compiled again into it, seconds of a first run's wait.)
The week is four compiled functions that release the GIL, each over any range of people:
:func:`act` (phases 1-3), :func:`words` (4), :func:`learn` (5) and :func:`decide` (6). A large
organisation runs each phase on several threads, split by rows, with the same numbers: a
person's update reads what the previous phase left and writes only their own row. A large
batch (``across``) runs phase 5 for all its replications at once, :func:`learn_across`: each
tie is read once for the batch and each replication's sums are a lane of their own, with the
same additions in the same order. One replication runs phase 5 as :func:`learn_blocks`:
``BLOCK_ROWS`` people at a time, their ties stored by column (:class:`simulator.sparse.Blocked`),
so that an account that shows nothing (most accounts, in most weeks) is skipped with all its
ties, while each person's ties are still added in the same order; each block then takes its
decisions (phase 6) while its rows are in cache, a non-user's count of the posters they
observe taken on the way down the columns.

What each account shows in a week (active, engaged, criticised, posts by kind, endorsement
and awareness flags) is packed into one 32-bit word, so the gathers over ties touch 4 bytes
per account and stay in cache for large organisations; the sums over ties run in CSR order,
as scipy's products do. Uniform numbers come from the replication's Philox key and
``(person, week, slot)`` (:func:`simulator.rng.uniform_at2`): the dense decision numbers in
one vectorised pass, the rare ones (posting, responses, memos) only where needed.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from simulator.attention import follow_scale
from simulator.rng import SLOTS, uniform_at2
from simulator.state import EVENTS, FIRST, LISTENER, NON_USER, POSTER, SOURCES
from simulator.tally import tally_serial

ASSIGNED, GUIDELINE, SPONTANEOUS = (
    SOURCES.index(s) for s in ("assigned", "guideline", "spontaneous")
)
POSTS, ENGAGED, CRITICISED, LAPSES, PULLBACKS, AWARE, CROSS = (
    EVENTS.index(e)
    for e in ("posts", "engaged", "criticised", "lapses", "pullbacks", "aware", "cross_unit")
)
# (int64s, not ints: numba compiles a function once for each literal int it is passed)
S_EXPOSURE, S_DECISION, S_LAPSE, S_POSTING, S_ENGAGEMENT, S_CRITICISM, S_PULLBACK, S_MEMO = (
    np.int64(SLOTS.index(s))
    for s in "exposure decision lapse posting engagement criticism pullback memo".split()  # noqa: SIM905
)
assert (S_ENGAGEMENT, S_CRITICISM) == (S_POSTING + 1, S_POSTING + 2)  # (act draws them so)

# The word an account shows each week: active, engaged, criticised (bits 0-2), its kind
# (leader, peer, delegate; bits 3-4), the week's posts (bits 5-10; POSTS_EXACT means "look in
# posts_now"), endorses through a delegate (11), counted by endorsement (12). Its low 11 bits
# index SHOWN, the six numbers the attention sums add up. A byte per account (``flags``) says
# in a quarter of the bytes what the gathers over ties most often ask: whether the account
# makes its observers aware (phase 6), whether its word adds anything to the attention sums or
# the endorsement (phase 5 skips it otherwise).
ACTIVE_BIT, ENGAGED_BIT, CRITICISED_BIT = np.uint32(1), np.uint32(2), np.uint32(4)
KIND_SHIFT, POSTS_SHIFT, POSTS_EXACT = 3, 5, 63
DELEGATE_BIT, COUNTED_BIT = np.uint32(1 << 11), np.uint32(1 << 12)
CODE_MASK = np.uint32((1 << 11) - 1)
SEEN_MASK = np.uint32(int(ACTIVE_BIT | ENGAGED_BIT | CRITICISED_BIT) | (63 << POSTS_SHIFT))
"""The bits of a word that :data:`SHOWN` reads a nonzero number from."""
AWARE_FLAG, SEEN_FLAG, SIGNAL_FLAG, COUNTED_FLAG = 1, 2, 4, 8
"""``flags``: makes observers aware; shows a nonzero number (``SEEN_MASK``); adds to the
endorsement's numerator (active, or a delegate posts for it); counts in its denominator."""


def _shown() -> np.ndarray:
    """SHOWN[code]: active, engaged, criticised, posts as leader, as peer, as delegate."""
    table = np.zeros((1 << 11, 8))
    for code in range(1 << 11):
        posts, kind = (code >> POSTS_SHIFT) & 63, (code >> KIND_SHIFT) & 3
        table[code, :3] = code & 1, (code >> 1) & 1, (code >> 2) & 1
        if kind < 3:
            table[code, 3 + kind] = posts
    return table


SHOWN = _shown()

DECISION_BLOCK = 512  # people whose numbers (decisions; posts, responses) are drawn together

# Positions of the scalar parameters in the ``p`` vector (see SocialLearning.scalars).
(
    P_ENGAGE,
    P_COMFORT_LOSS,
    P_PULLBACK,
    P_COOLDOWN,
    P_WINDOW,
    P_CAP,
    P_BASELINE,
    P_PENALTY,
    P_SOCIAL_W,
    P_ENDORSE_W,
    P_ENGAGE_W,
    P_CRITIC_W,
    P_COMFORT_RATE,
    P_TACIT_RATE,
    P_ENDORSEMENT,
    P_BROADCAST,
    P_AWARENESS,
    P_EXPLICIT_W,
    P_NOISE,
    P_HYSTERESIS,
    P_G_STRENGTH,
    P_G_CAP,
    P_G_AWARENESS,
) = range(23)
N_SCALARS = 23


@njit(cache=True, inline="always")
def chance(gap: float, noise: float) -> float:
    """Probability that a decision with margin ``gap`` is taken (see social_learning.chance)."""
    if noise == 0:
        return 1.0 if gap >= 0 else 0.0
    return 1 / (1 + math.exp(-gap / noise))


@njit(cache=True, inline="always")
def below_chance(u: float, gap: float, noise: float) -> bool:
    """``u < chance(gap, noise)``, the same answer, without the exponential where ``u`` is
    surely above the chance. For ``z = -gap / noise >= 1`` the chance ``1 / (1 + e^z)`` is
    below ``1 / (2 + z + z^2/2 + z^3/6)`` (the first terms of the exponential's series); the
    margin of 1e-6 covers the rounding on both sides (a few units in the last place)."""
    if noise != 0:
        z = -gap / noise
        if z >= 1.0 and u * (2.0 + z * (1.0 + z * (0.5 + z * (1.0 / 6.0)))) >= 1.000001:
            return False
    return u < chance(gap, noise)


@njit(cache=True, inline="always")
def decision_slot(stage: int) -> np.int64:
    """The draw slot of a person's decision, by their stage: exposure (non-user), decision
    (listener), lapse (poster). Written as selects, not a table, so that a loop of draws is
    vectorised (a table read per person keeps the compiler from it: 5 times slower)."""
    return S_EXPOSURE if stage == NON_USER else (S_DECISION if stage == LISTENER else S_LAPSE)


@njit(cache=True)  # (a call: for the rare numbers, each inlined copy compiles for a second)
def draw_below(k0: np.uint64, k1: np.uint64, slot: int, t: int, i: int, p: float) -> bool:
    """``u < p`` for the person's number in ``slot``; no number is computed when p is 0 or 1."""
    if p <= 0.0:
        return False
    if p >= 1.0:
        return True
    return uniform_at2(k0, k1, slot, t, i) < p


@njit(cache=True, inline="always")
def aware_seen(i: int, flags: np.ndarray, ptr: np.ndarray, idx: np.ndarray) -> int:
    """How many of row ``i``'s accounts make their observers aware. Asked only for a
    non-user, who makes no one aware: a tie to oneself adds nothing."""
    m = 0
    for q in range(ptr[i], ptr[i + 1]):
        m += flags[idx[q]] & AWARE_FLAG
    return m


@njit(cache=True, error_model="numpy")  # divisions are guarded: no checks
def step(
    t: int,
    keys: np.ndarray,  # (R, 2) Philox key words of each replication
    # state, (R, n) unless noted; updated in place
    stage: np.ndarray,
    comfort: np.ndarray,
    explicit: np.ndarray,
    tacit: np.ndarray,
    threshold: np.ndarray,
    risk: np.ndarray,
    innovator: np.ndarray,
    last_post: np.ndarray,
    cooldown_until: np.ndarray,
    posts_total: np.ndarray,
    engaged_total: np.ndarray,
    criticised_total: np.ndarray,
    lapses: np.ndarray,
    pullbacks: np.ndarray,
    left: np.ndarray,
    adopted_at: np.ndarray,
    source: np.ndarray,
    guideline_gain: np.ndarray,
    exposure: np.ndarray,  # (3, R, n)
    # actions
    held: np.ndarray,  # (R, n) int8, -1 from when a held person leaves the role
    rate: np.ndarray,  # (R, n) codes into rate_tab (posts/week), updated as held is
    rate_tab: np.ndarray,
    free_code: np.ndarray,  # (2,) the rate code of a poster free of a role (restricted: [1])
    restricted: np.ndarray,  # (n,)
    memo: np.ndarray,  # (n,)
    any_memo: bool,
    delegating: np.ndarray,  # (n,)
    # network: CSR patterns, weights as codes into tables (nb, fo, en); ux: observed, no
    # attention
    nb_ptr: np.ndarray,
    nb_idx: np.ndarray,
    nb_code: np.ndarray,
    nb_tab: np.ndarray,
    fo_ptr: np.ndarray,
    fo_idx: np.ndarray,
    fo_code: np.ndarray,
    fo_tab: np.ndarray,
    ux_ptr: np.ndarray,
    ux_idx: np.ndarray,
    en_ptr: np.ndarray,
    en_idx: np.ndarray,
    en_code: np.ndarray,
    en_tab: np.ndarray,
    dl_ptr: np.ndarray,
    dl_idx: np.ndarray,
    # the nb, fo and en weights in blocked layout for learn_blocks (no blocks: learn)
    bk_ptr: np.ndarray,
    bk_col: np.ndarray,
    bk_count: np.ndarray,
    bk_row: np.ndarray,
    bk_code: np.ndarray,
    # per person
    kind: np.ndarray,
    criticise: np.ndarray,
    criticise_1: np.ndarray,  # 1 - (1 - criticise): the chance for one post
    top_leader: np.ndarray,  # (n,) bool: followed-level leaders (row 1 of criticise)
    cross_observers: np.ndarray,
    nb_sum: np.ndarray,
    nb_sum_tab: np.ndarray,
    fo_sum: np.ndarray,
    fo_sum_tab: np.ndarray,
    en_sum: np.ndarray,
    en_sum_tab: np.ndarray,
    # switches and scalars
    silent_count: bool,
    awareness_from_posters: bool,
    lapse_on: bool,
    p: np.ndarray,
    unaware: np.ndarray,  # (1 - awareness_rate) ** m for m = 0 .. most observed accounts
    # outputs: (W, R, 7) event counts, (W, R, 6) adoptions by source, of each week run
    events: np.ndarray,
    adoptions: np.ndarray,
    # True: learn across the replications (learn_across), for large batches; off: each
    # replication on its own. Off as None, not False, lets the compiler leave the other path
    # out (numba drops a branch on an argument that is None): a first run compiles less.
    across: bool | None,
    rows: bool | None,  # True: learn row by row (no blocked layout); None: block by block
    weeks: int,  # weeks to run (W at most), from week t, under the same actions
    # the record of each week run (simulator.tally): the people's level, audience and the
    # level sizes; (W, R, 3) shares by stage, (W, R, L, 3) by level, (W, R, 2) reach and
    # mean comfort (no rows: no record)
    level: np.ndarray,
    audience: np.ndarray,
    level_size: np.ndarray,
    stages: np.ndarray,
    levels: np.ndarray,
    figures: np.ndarray,
    # the people followed (simulator.people.FirstWeeks): the number of week t in their
    # record, and (R, n) the first week each was at least a listener and a poster (-1 not
    # yet), marked at each week's end (no rows: no one followed)
    first_week: int,
    listener_at: np.ndarray,
    poster_at: np.ndarray,
) -> None:
    """Advance every replication of the batch by ``weeks`` weeks from week ``t``, each week
    one replication after the other, or (``across``) phases 1-4 one replication after the
    other, phase 5 for all of them at once (:func:`learn_across`), then phase 6 one after
    the other. Replications share nothing but the organisation, so both orders give the
    same numbers.

    The weeks share the actions (the strategies' arrays): the caller asks for weeks in
    which no schedule starts or stops. A held poster who leaves the role changes the next
    week's actions only in their own ``held`` stage and ``rate``, which :func:`act` sets
    as the strategies would (:class:`simulator.strategies.Strategies`), so the weeks go on.
    Week ``w``'s events are ``events[w]``, its record ``stages[w]``, ``levels[w]`` and
    ``figures[w]`` (:func:`simulator.tally.tally_serial`), if asked for, and those who
    reach a stage by its end for the first time are marked at week ``first_week + w``
    (:func:`mark_first`), if followed."""
    R, n = stage.shape
    # shows[r, j]: what account j shows this week in replication r, packed in one word (see
    # SHOWS_*), so that the gathers over ties stay in cache even for large organisations
    lanes = R if across is not None and across else 1
    shows = np.empty((lanes, n), dtype=np.uint32)  # act writes every word
    posts_now = np.empty((lanes, n), dtype=np.int32)  # read where act wrote
    flags = np.empty((lanes, n), dtype=np.uint8)  # words writes every row's
    for w in range(weeks):
        tw, ev, ad = t + w, events[w], adoptions[w]
        if across is not None and across:
            for r in range(R):
                act(
                    tw, keys[r, 0], keys[r, 1], stage[r], comfort[r], explicit[r], risk[r],
                    last_post[r], cooldown_until[r], posts_total[r], engaged_total[r],
                    criticised_total[r], pullbacks[r], left[r], adopted_at[r], source[r],
                    guideline_gain[r], held[r], rate[r], rate_tab, free_code, restricted, memo,
                    any_memo, delegating, dl_ptr, dl_idx, kind, criticise, criticise_1, top_leader,
                    cross_observers, silent_count, awareness_from_posters, p, ev[r], ad[r],
                    shows[r], posts_now[r], FIRST, n,
                )  # fmt: skip
                words(
                    tw, stage[r], last_post[r], delegating, dl_ptr, dl_idx, silent_count,
                    awareness_from_posters, p, shows[r], flags[r], FIRST, n,
                )  # fmt: skip
            # while many are non-users (the first weeks), their counts of the accounts that
            # make them aware are taken on the way through the ties, for all the
            # replications at once
            non_users = 0
            for r in range(R):
                for i in range(n):
                    non_users += 1 if stage[r, i] == NON_USER else 0
            counting = non_users * AWARE_ACROSS_FROM >= R * n
            aware = np.zeros((R, n if counting else 0), dtype=np.int32)
            learn_across(
                comfort, tacit, exposure, restricted,
                nb_ptr, nb_idx, nb_code, nb_tab, fo_ptr, fo_idx, fo_code, fo_tab,
                en_ptr, en_idx, en_code, en_tab, nb_sum, nb_sum_tab, fo_sum, fo_sum_tab,
                en_sum, en_sum_tab, kind, silent_count, p, shows.T.copy(), posts_now.T.copy(),
                flags.T.copy() if counting else flags[:0].T, aware,  # (flags: if counting)
            )  # fmt: skip
            for r in range(R):
                decide(
                    tw, keys[r, 0], keys[r, 1], stage[r], comfort[r], explicit[r], tacit[r],
                    threshold[r], innovator[r], cooldown_until[r], lapses[r], adopted_at[r],
                    source[r], guideline_gain[r], exposure[:, r], held[r], nb_ptr, nb_idx,
                    fo_ptr, fo_idx, ux_ptr, ux_idx, lapse_on, p, unaware, ev[r], ad[r],
                    flags[r], aware[r], FIRST, n,
                )  # fmt: skip
        else:
            # one replication's week, phase by phase (act and words are called as above:
            # one loop of them for both branches compiled 1.5-5 s slower on a first run)
            for r in range(R):
                act(
                    tw, keys[r, 0], keys[r, 1], stage[r], comfort[r], explicit[r], risk[r],
                    last_post[r], cooldown_until[r], posts_total[r], engaged_total[r],
                    criticised_total[r], pullbacks[r], left[r], adopted_at[r], source[r],
                    guideline_gain[r], held[r], rate[r], rate_tab, free_code, restricted, memo,
                    any_memo, delegating, dl_ptr, dl_idx, kind, criticise, criticise_1, top_leader,
                    cross_observers, silent_count, awareness_from_posters, p, ev[r], ad[r],
                    shows[0], posts_now[0], FIRST, n,
                )  # fmt: skip
                words(
                    tw, stage[r], last_post[r], delegating, dl_ptr, dl_idx, silent_count,
                    awareness_from_posters, p, shows[0], flags[0], FIRST, n,
                )  # fmt: skip
                if rows is None or not rows:  # phases 5 and 6, block by block
                    learn_blocks(
                        comfort[r], tacit[r], exposure[:, r], restricted, bk_ptr, bk_col,
                        bk_count, bk_row, bk_code, nb_tab, fo_tab, en_tab, nb_sum, nb_sum_tab,
                        fo_sum, fo_sum_tab, en_sum, en_sum_tab, silent_count, p, shows[0],
                        flags[0], posts_now[0], tw, keys[r, 0], keys[r, 1], stage[r],
                        explicit[r], threshold[r], innovator[r], cooldown_until[r], lapses[r],
                        adopted_at[r], source[r], guideline_gain[r], held[r], nb_ptr, nb_idx,
                        fo_ptr, fo_idx, ux_ptr, ux_idx, awareness_from_posters, lapse_on,
                        unaware, ev[r], ad[r], FIRST, bk_ptr.shape[1] - 1,
                    )  # fmt: skip
                else:  # row by row (None: this path is left out)
                    learn(
                        comfort[r], tacit[r], exposure[:, r], restricted,
                        nb_ptr, nb_idx, nb_code, nb_tab, fo_ptr, fo_idx, fo_code, fo_tab,
                        en_ptr, en_idx, en_code, en_tab, nb_sum, nb_sum_tab, fo_sum, fo_sum_tab,
                        silent_count, p, shows[0], posts_now[0], FIRST, n,
                    )  # fmt: skip
                    decide(
                        tw, keys[r, 0], keys[r, 1], stage[r], comfort[r], explicit[r],
                        tacit[r], threshold[r], innovator[r], cooldown_until[r], lapses[r],
                        adopted_at[r], source[r], guideline_gain[r], exposure[:, r], held[r],
                        nb_ptr, nb_idx, fo_ptr, fo_idx, ux_ptr, ux_idx, lapse_on, p, unaware,
                        ev[r], ad[r], flags[0], np.zeros(0, dtype=np.int32), FIRST, n,
                    )  # fmt: skip
        if len(stages) > 0:
            tally_serial(
                stage, comfort, level, audience, level_size, stages[w], levels[w], figures[w]
            )
        if len(listener_at) > 0:
            mark_first(stage, first_week + w, listener_at, poster_at)


@njit(cache=True)
def mark_first(
    stage: np.ndarray, week: int, listener_at: np.ndarray, poster_at: np.ndarray
) -> None:
    """Mark ``week`` as the first week at least a listener (``listener_at``) and a poster
    (``poster_at``) of those at that stage in ``stage``, ``(R, n)``, the stages at its end,
    who were not marked yet (``-1``): the one rule, which :class:`simulator.people.FirstWeeks`
    also marks by after a week recorded outside a compiled run."""
    R, n = stage.shape
    for r in range(R):
        for i in range(n):
            s = stage[r, i]
            if s >= LISTENER and listener_at[r, i] < 0:
                listener_at[r, i] = week
            if s >= POSTER and poster_at[r, i] < 0:
                poster_at[r, i] = week


@njit(cache=True, error_model="numpy", parallel=True)  # divisions are guarded
def step_split(
    t: int,
    keys: np.ndarray,  # (R, 2) Philox key words of each replication
    # state, (R, n) unless noted; updated in place
    stage: np.ndarray,
    comfort: np.ndarray,
    explicit: np.ndarray,
    tacit: np.ndarray,
    threshold: np.ndarray,
    risk: np.ndarray,
    innovator: np.ndarray,
    last_post: np.ndarray,
    cooldown_until: np.ndarray,
    posts_total: np.ndarray,
    engaged_total: np.ndarray,
    criticised_total: np.ndarray,
    lapses: np.ndarray,
    pullbacks: np.ndarray,
    left: np.ndarray,
    adopted_at: np.ndarray,
    source: np.ndarray,
    guideline_gain: np.ndarray,
    exposure: np.ndarray,  # (3, R, n)
    # actions
    held: np.ndarray,  # (R, n) int8, -1 from when a held person leaves the role
    rate: np.ndarray,  # (R, n) codes into rate_tab (posts/week), updated as held is
    rate_tab: np.ndarray,
    free_code: np.ndarray,  # (2,) the rate code of a poster free of a role (restricted: [1])
    restricted: np.ndarray,  # (n,)
    memo: np.ndarray,  # (n,)
    any_memo: bool,
    delegating: np.ndarray,  # (n,)
    # network: CSR patterns, weights as codes into tables (nb, fo, en); ux: observed, no
    # attention
    nb_ptr: np.ndarray,
    nb_idx: np.ndarray,
    nb_code: np.ndarray,
    nb_tab: np.ndarray,
    fo_ptr: np.ndarray,
    fo_idx: np.ndarray,
    fo_code: np.ndarray,
    fo_tab: np.ndarray,
    ux_ptr: np.ndarray,
    ux_idx: np.ndarray,
    en_ptr: np.ndarray,
    en_idx: np.ndarray,
    en_code: np.ndarray,
    en_tab: np.ndarray,
    dl_ptr: np.ndarray,
    dl_idx: np.ndarray,
    # the nb, fo and en weights in blocked layout for learn_blocks (no blocks: learn)
    bk_ptr: np.ndarray,
    bk_col: np.ndarray,
    bk_count: np.ndarray,
    bk_row: np.ndarray,
    bk_code: np.ndarray,
    # per person
    kind: np.ndarray,
    criticise: np.ndarray,
    criticise_1: np.ndarray,  # 1 - (1 - criticise): the chance for one post
    top_leader: np.ndarray,  # (n,) bool: followed-level leaders (row 1 of criticise)
    cross_observers: np.ndarray,
    nb_sum: np.ndarray,
    nb_sum_tab: np.ndarray,
    fo_sum: np.ndarray,
    fo_sum_tab: np.ndarray,
    en_sum: np.ndarray,
    en_sum_tab: np.ndarray,
    # switches and scalars
    silent_count: bool,
    awareness_from_posters: bool,
    lapse_on: bool,
    p: np.ndarray,
    unaware: np.ndarray,  # (1 - awareness_rate) ** m for m = 0 .. most observed accounts
    # outputs: (R, 7) event counts, (R, 6) adoptions by source
    events: np.ndarray,
    adoptions: np.ndarray,
    bounds: np.ndarray,  # rows of each part: part c has rows bounds[c] .. bounds[c + 1] - 1
) -> None:
    """:func:`step` with each phase run on the parts of the rows in parallel (one part per
    thread): the same numbers, since a person's update in a phase reads what the previous
    phase left and writes only their own row; the parts' event counts (whole numbers) add
    up exactly."""
    R, n = stage.shape
    parts = len(bounds) - 1
    shows = np.empty(n, dtype=np.uint32)  # act writes every row's word
    posts_now = np.empty(n, dtype=np.int32)  # read only where act wrote it
    flags = np.empty(n, dtype=np.uint8)  # words writes every row's
    # learn_blocks' parts: the blocks that start in each part of the rows
    blocks = bk_ptr.shape[1] - 1
    cuts = np.minimum(-(-bounds // BLOCK_ROWS), blocks)
    cuts[-1] = blocks
    tallies = np.zeros((parts, 16))  # a part's counts on cache lines of its own
    found = np.zeros((parts, 16))
    n_events, n_sources = events.shape[1], adoptions.shape[1]
    for r in range(R):
        k0, k1 = keys[r, 0], keys[r, 1]
        tallies[:] = 0.0
        found[:] = 0.0
        for c in prange(parts):
            act(
                t, k0, k1, stage[r], comfort[r], explicit[r], risk[r], last_post[r],
                cooldown_until[r], posts_total[r], engaged_total[r], criticised_total[r],
                pullbacks[r], left[r], adopted_at[r], source[r], guideline_gain[r], held[r],
                rate[r], rate_tab, free_code, restricted, memo, any_memo, delegating, dl_ptr,
                dl_idx, kind, criticise, criticise_1, top_leader, cross_observers, silent_count,
                awareness_from_posters, p,
                tallies[c, :n_events], found[c, :n_sources], shows, posts_now,
                bounds[c], bounds[c + 1],
            )  # fmt: skip
        for c in prange(parts):
            words(
                t, stage[r], last_post[r], delegating, dl_ptr, dl_idx, silent_count,
                awareness_from_posters, p, shows, flags, bounds[c], bounds[c + 1],
            )  # fmt: skip
        if blocks > 0:  # phases 5 and 6, block by block
            for c in prange(parts):
                learn_blocks(
                    comfort[r], tacit[r], exposure[:, r], restricted,
                    bk_ptr, bk_col, bk_count, bk_row, bk_code, nb_tab, fo_tab, en_tab,
                    nb_sum, nb_sum_tab, fo_sum, fo_sum_tab, en_sum, en_sum_tab, silent_count, p,
                    shows, flags, posts_now, t, k0, k1, stage[r], explicit[r], threshold[r],
                    innovator[r], cooldown_until[r], lapses[r], adopted_at[r], source[r],
                    guideline_gain[r], held[r], nb_ptr, nb_idx, fo_ptr, fo_idx, ux_ptr, ux_idx,
                    awareness_from_posters, lapse_on, unaware, tallies[c, :n_events],
                    found[c, :n_sources], cuts[c], cuts[c + 1],
                )  # fmt: skip
        else:
            for c in prange(parts):
                learn(
                    comfort[r], tacit[r], exposure[:, r], restricted,
                    nb_ptr, nb_idx, nb_code, nb_tab, fo_ptr, fo_idx, fo_code, fo_tab,
                    en_ptr, en_idx, en_code, en_tab, nb_sum, nb_sum_tab, fo_sum, fo_sum_tab,
                    silent_count, p, shows, posts_now, bounds[c], bounds[c + 1],
                )  # fmt: skip
            for c in prange(parts):
                decide(
                    t, k0, k1, stage[r], comfort[r], explicit[r], tacit[r], threshold[r],
                    innovator[r], cooldown_until[r], lapses[r], adopted_at[r], source[r],
                    guideline_gain[r], exposure[:, r], held[r], nb_ptr, nb_idx, fo_ptr, fo_idx,
                    ux_ptr, ux_idx, lapse_on, p, unaware, tallies[c, :n_events],
                    found[c, :n_sources], flags, np.zeros(0, dtype=np.int32), bounds[c],
                    bounds[c + 1],
                )  # fmt: skip
        for c in range(parts):
            events[r] += tallies[c, :n_events]
            adoptions[r] += found[c, :n_sources]


@njit(cache=True, error_model="numpy", nogil=True)  # divisions are guarded: no checks
def act(
    t: int,
    k0: np.uint64,
    k1: np.uint64,
    stage: np.ndarray,
    comfort: np.ndarray,
    explicit: np.ndarray,
    risk: np.ndarray,
    last_post: np.ndarray,
    cooldown_until: np.ndarray,
    posts_total: np.ndarray,
    engaged_total: np.ndarray,
    criticised_total: np.ndarray,
    pullbacks: np.ndarray,
    left: np.ndarray,
    adopted_at: np.ndarray,
    source: np.ndarray,
    guideline_gain: np.ndarray,
    held: np.ndarray,
    rate: np.ndarray,
    rate_tab: np.ndarray,
    free_code: np.ndarray,
    restricted: np.ndarray,
    memo: np.ndarray,
    any_memo: bool,
    delegating: np.ndarray,
    dl_ptr: np.ndarray,
    dl_idx: np.ndarray,
    kind: np.ndarray,
    criticise: np.ndarray,
    criticise_1: np.ndarray,
    top_leader: np.ndarray,
    cross_observers: np.ndarray,
    silent_count: bool,
    awareness_from_posters: bool,
    p: np.ndarray,
    events: np.ndarray,
    adoptions: np.ndarray,
    shows: np.ndarray,
    posts_now: np.ndarray,
    lo: int,
    hi: int,
) -> None:
    """Phases 1-3 for people ``lo .. hi - 1``, each on their own (events are added to
    ``events`` and ``adoptions``).

    A block of people at a time: the interventions first, which settle who posts; then the
    posters' numbers for posting, engagement and criticism are drawn together (a loop the
    compiler vectorises, as :func:`decide`'s), then their posts and responses. A number
    drawn but not needed (a chance of 0 or 1, no post) changes nothing: each is the one
    :func:`draw_below` would give."""
    engage_1 = 1 - (1 - p[P_ENGAGE])
    size = min(DECISION_BLOCK, max(hi - lo, 0))
    who = np.empty(size, dtype=np.int64)
    u = np.empty((3, size))  # the posters' numbers: posting, engagement, criticism
    u_post, u_engage, u_criticise = u[0], u[1], u[2]
    for start in range(lo, hi, DECISION_BLOCK):
        stop = min(start + DECISION_BLOCK, hi)
        # -- 1. interventions ------------------------------------------------------------
        m = 0
        for i in range(start, stop):
            shows[i] = 0
            h = held[i]
            if h >= 0 and h != stage[i]:
                if stage[i] != POSTER and h == POSTER:
                    if adopted_at[i] < 0:
                        adopted_at[i] = t
                        source[i] = ASSIGNED
                    adoptions[ASSIGNED] += 1
                stage[i] = h
            if any_memo and memo[i]:
                gain = p[P_G_STRENGTH] * max(0.0, p[P_G_CAP] - explicit[i])
                explicit[i] = explicit[i] + gain
                guideline_gain[i] = guideline_gain[i] + gain
                if (
                    stage[i] == NON_USER
                    and h < 0
                    and draw_below(k0, k1, S_MEMO, t, i, p[P_G_AWARENESS])
                ):
                    stage[i] = LISTENER
                    events[AWARE] += 1
            who[m] = i
            m += 1 if stage[i] == POSTER else 0
        for d in range(3):  # the slots follow each other: one copy of the generator
            for k in range(m):  # vectorised
                u[d, k] = uniform_at2(k0, k1, S_POSTING + d, t, who[k])
        # -- 2. posting, 3. responses ------------------------------------------------------
        for k in range(m):
            i = who[k]
            q_p = rate_tab[rate[i]]
            whole = math.floor(q_p)
            posts = int(whole) + int(u_post[k] < q_p - whole)
            if posts == 0:
                continue
            posts_total[i] += posts
            last_post[i] = t
            events[POSTS] += posts
            events[CROSS] += posts * cross_observers[i]
            posts_now[i] = posts
            shows[i] = (min(posts, POSTS_EXACT) << POSTS_SHIFT) | (kind[i] << KIND_SHIFT)
            q_e = engage_1 if posts == 1 else 1 - (1 - p[P_ENGAGE]) ** float(posts)
            if u_engage[k] < q_e:
                shows[i] |= ENGAGED_BIT
                engaged_total[i] += 1
                events[ENGAGED] += 1
            cls = 1 if top_leader[i] else 0
            q_c = criticise_1[cls] if posts == 1 else 1 - (1 - criticise[cls]) ** float(posts)
            if not u_criticise[k] < q_c:
                continue
            shows[i] |= CRITICISED_BIT
            criticised_total[i] += 1
            events[CRITICISED] += 1
            comfort[i] = max(0.0, comfort[i] - p[P_COMFORT_LOSS])
            if draw_below(k0, k1, S_PULLBACK, t, i, p[P_PULLBACK] * risk[i]):
                stage[i] = LISTENER
                cooldown_until[i] = t + int(p[P_COOLDOWN]) + 1
                pullbacks[i] += 1
                events[PULLBACKS] += 1
                if held[i] == POSTER:  # leaves the role: from next week, posts as anyone
                    left[i] = True
                    held[i] = -1
                    rate[i] = free_code[1 if restricted[i] else 0]


@njit(cache=True, error_model="numpy", nogil=True)  # divisions are guarded: no checks
def words(
    t: int,
    stage: np.ndarray,
    last_post: np.ndarray,
    delegating: np.ndarray,
    dl_ptr: np.ndarray,
    dl_idx: np.ndarray,
    silent_count: bool,
    awareness_from_posters: bool,
    p: np.ndarray,
    shows: np.ndarray,
    flags: np.ndarray,
    lo: int,
    hi: int,
) -> None:
    """Phase 4 for the accounts ``lo .. hi - 1`` (after phase 3 for everyone: delegates'
    posts count for their leaders)."""
    # -- 4. attention: who is active, endorsement signals ---------------------------------
    window = int(p[P_WINDOW])
    for i in range(lo, hi):
        on = (t - last_post[i]) < window
        delegate_posts = False
        if delegating[i] and not on and len(dl_idx) > 0:  # (no delegates: dl_ptr is empty)
            for q in range(dl_ptr[i], dl_ptr[i + 1]):
                if (t - last_post[dl_idx[q]]) < window:
                    delegate_posts = True
                    break
        word = shows[i]
        if on:
            word |= ACTIVE_BIT | COUNTED_BIT
        elif delegate_posts:
            word |= DELEGATE_BIT
            if p[P_ENDORSEMENT] > 0:
                word |= COUNTED_BIT
        if silent_count:
            word |= COUNTED_BIT
        shows[i] = word
        aware = (stage[i] == POSTER and on) if awareness_from_posters else stage[i] >= LISTENER
        flags[i] = (
            (AWARE_FLAG if aware else 0)
            | (SEEN_FLAG if word & SEEN_MASK else 0)
            | (SIGNAL_FLAG if word & (ACTIVE_BIT | DELEGATE_BIT) else 0)
            | (COUNTED_FLAG if word & COUNTED_BIT else 0)
        )


@njit(cache=True, inline="always")
def endorses(v: np.uint32, e_signal: float) -> tuple[float, float]:
    """What one leader's word ``v`` adds to the endorsement's numerator (1 if they post, the
    delegation's ``e_signal`` if their delegate posts for them) and to its denominator (1 if
    they count)."""
    sig = 1.0 if v & ACTIVE_BIT else (e_signal if v & DELEGATE_BIT else 0.0)
    return sig, 1.0 if v & COUNTED_BIT else 0.0


LN2_HI, LN2_LO = 6.93147180369123816490e-01, 1.90821492927058770002e-10
"""ln 2 in two parts (the first exact in its top bits), for :func:`expm1_neg`."""
EXPM1_TAYLOR = tuple(1 / math.factorial(k) for k in range(14, 1, -1))
"""``1/14!, ..., 1/2!``: the series of ``expm1`` on ``|r| <= ln 2 / 2`` (the next term is
below half a unit in the last place)."""
HALVES = (0.5, 0.25, 2.0**-4, 2.0**-8, 2.0**-16, 2.0**-32)
"""``2**-(2**b)`` for the bits ``b`` of ``-k`` in :func:`expm1_neg`."""


@njit(cache=True, inline="always")
def expm1_neg(x: float) -> float:
    """``math.expm1(x)`` for ``x <= 0`` (within one unit in the last place; -1 below -40),
    in plain arithmetic without branches, so that a loop of them is vectorised (the
    library's ``expm1`` is one call per number, ~9 ns). ``x = k ln 2 + r``, ``e^x - 1 =
    2^k (e^r - 1) + 2^k - 1``, with ``e^r - 1`` by its series; ``2^k`` is exact, a product
    of halvings. Every kernel path calls this same function: the same numbers everywhere."""
    x = max(x, -40.0)  # e^-40 is below half a unit of 1: the answer is -1 from there down
    k = math.floor(x * (1 / math.log(2)) + 0.5)
    r = (x - k * LN2_HI) - k * LN2_LO
    q = 0.0
    for c in EXPM1_TAYLOR:
        q = c + r * q
    em1 = r + r * r * q
    m, scale = -int(k), 1.0
    for b in range(6):
        scale *= HALVES[b] if (m >> b) & 1 else 1.0
    return scale * em1 + (scale - 1.0)


@njit(cache=True, inline="always")
def tacit_growth(s3: float, s4: float, s5: float, log_keep: float) -> float:
    """The share of what is left of tacit know-how learned from the posts seen, by kind
    ``s3, s4, s5``: ``1 - (1 - tacit_rate) ** seen``, by its logarithm ``log_keep``; 0 when
    none is seen (also if ``log_keep`` is -inf). Every path adds the kinds here, in one
    order."""
    seen = s3 + s4 + s5
    return -expm1_neg(seen * log_keep if seen > 0 else 0.0)


@njit(cache=True, inline="always")
def learned(
    comfort: float,
    tacit: float,
    e0: float,
    e1: float,
    e2: float,
    target: float,
    s3: float,
    s4: float,
    s5: float,
    growth: float,
    c_rate: float,
    memory: float,
) -> tuple[float, float, float, float, float]:
    """One person's comfort, tacit know-how and exposures by kind after phase 5, from the
    comfort ``target``, the shares ``s3, s4, s5`` of posts seen by kind and the tacit
    know-how's ``growth`` (:func:`tacit_growth`)."""
    return (
        (1 - c_rate) * comfort + c_rate * target,
        tacit + (1 - tacit) * growth,
        memory * e0 + s3,
        memory * e1 + s4,
        memory * e2 + s5,
    )


@njit(cache=True, inline="always")
def learning_rates(p: np.ndarray) -> tuple[float, float, float, float]:
    """:func:`learned`'s rates (comfort's rate, the logarithm of the share of tacit know-how
    kept per post seen, the exposure's memory) and the endorsement's delegation signal."""
    return p[P_COMFORT_RATE], math.log1p(-p[P_TACIT_RATE]), 1 - 1 / p[P_WINDOW], p[P_ENDORSEMENT]


@njit(cache=True, inline="always")
def comfort_baseline(p: np.ndarray, restricted: bool) -> float:
    """The comfort a person drifts to with nothing seen: lower under a restrictive policy."""
    return p[P_BASELINE] - p[P_PENALTY] * (1.0 if restricted else 0.0)


@njit(cache=True, error_model="numpy", nogil=True)  # divisions are guarded: no checks
def learn(
    comfort: np.ndarray,
    tacit: np.ndarray,
    exposure: np.ndarray,
    restricted: np.ndarray,
    nb_ptr: np.ndarray,
    nb_idx: np.ndarray,
    nb_code: np.ndarray,
    nb_tab: np.ndarray,
    fo_ptr: np.ndarray,
    fo_idx: np.ndarray,
    fo_code: np.ndarray,
    fo_tab: np.ndarray,
    en_ptr: np.ndarray,
    en_idx: np.ndarray,
    en_code: np.ndarray,
    en_tab: np.ndarray,
    nb_sum: np.ndarray,
    nb_sum_tab: np.ndarray,
    fo_sum: np.ndarray,
    fo_sum_tab: np.ndarray,
    silent_count: bool,
    p: np.ndarray,
    shows: np.ndarray,
    posts_now: np.ndarray,
    lo: int,
    hi: int,
) -> None:
    """Phase 5 for people ``lo .. hi - 1``: each reads only the words of phase 4 and writes
    only their own row, so any split of the rows gives the same numbers."""
    has_follows = len(fo_idx) > 0
    cap = p[P_CAP]
    c_rate, log_keep, memory, e_signal = learning_rates(p)
    # -- 5. learning: attention-weighted shares (sums in CSR order, as scipy's) ------------
    for i in range(lo, hi):
        x0 = x1 = x2 = x3 = x4 = x5 = 0.0
        for q in range(nb_ptr[i], nb_ptr[i + 1]):
            j, wq = nb_idx[q], nb_tab[nb_code[q]]
            v = shows[j]
            c = v & CODE_MASK
            x0 += wq * SHOWN[c, 0]
            x1 += wq * SHOWN[c, 1]
            x2 += wq * SHOWN[c, 2]
            if (v >> POSTS_SHIFT) & 63 == POSTS_EXACT:  # many posts: exact count
                kd, posts = (v >> KIND_SHIFT) & 3, wq * float(posts_now[j])
                if kd == 0:
                    x3 += posts
                elif kd == 1:
                    x4 += posts
                else:
                    x5 += posts
            else:
                x3 += wq * SHOWN[c, 3]
                x4 += wq * SHOWN[c, 4]
                x5 += wq * SHOWN[c, 5]
        a = nb_sum_tab[nb_sum[i]]  # the row sums, coded like the weights
        f = fo_sum_tab[fo_sum[i]]
        scale = 1.0
        if has_follows:
            f0 = f1 = f2 = f3 = f4 = f5 = 0.0
            for q in range(fo_ptr[i], fo_ptr[i + 1]):
                j, wq = fo_idx[q], fo_tab[fo_code[q]]
                v = shows[j]
                c = v & CODE_MASK
                f0 += wq * SHOWN[c, 0]
                f1 += wq * SHOWN[c, 1]
                f2 += wq * SHOWN[c, 2]
                if (v >> POSTS_SHIFT) & 63 == POSTS_EXACT:
                    kd, posts = (v >> KIND_SHIFT) & 3, wq * float(posts_now[j])
                    if kd == 0:
                        f3 += posts
                    elif kd == 1:
                        f4 += posts
                    else:
                        f5 += posts
                else:
                    f3 += wq * SHOWN[c, 3]
                    f4 += wq * SHOWN[c, 4]
                    f5 += wq * SHOWN[c, 5]
            if not silent_count:
                f = f0  # only active followed accounts take attention
            scale = follow_scale(f, a, cap)
            x0 += scale * f0
            x1 += scale * f1
            x2 += scale * f2
            x3 += scale * f3
            x4 += scale * f4
            x5 += scale * f5
        total = a + scale * f
        if total > 0:
            x0, x1, x2 = x0 / total, x1 / total, x2 / total
            x3, x4, x5 = x3 / total, x4 / total, x5 / total
        else:
            x0 = x1 = x2 = x3 = x4 = x5 = 0.0
        num = den = 0.0
        for q in range(en_ptr[i], en_ptr[i + 1]):
            sig, counted = endorses(shows[en_idx[q]], e_signal)
            wq = en_tab[en_code[q]]
            num += wq * sig
            den += wq * counted
        endorsement = num / den if den > 0 else 0.0
        target = (
            comfort_baseline(p, restricted[i])
            + p[P_SOCIAL_W] * x0
            + p[P_ENDORSE_W] * endorsement
            + p[P_ENGAGE_W] * x1
            - p[P_CRITIC_W] * x2
        )
        target = min(max(target, 0.0), 1.0)
        comfort[i], tacit[i], exposure[0, i], exposure[1, i], exposure[2, i] = learned(
            comfort[i], tacit[i], exposure[0, i], exposure[1, i], exposure[2, i],
            target, x3, x4, x5, tacit_growth(x3, x4, x5, log_keep), c_rate, memory,
        )  # fmt: skip


@njit(cache=True, inline="always")
def share(s: float, total: float) -> float:
    """``s / total`` if the total is positive, else 0, as selects (no branch)."""
    return s / (total if total > 0 else 1.0) if total > 0 else 0.0


@njit(cache=True, inline="always")
def lane_tail(
    a_row: np.ndarray,
    f_row: np.ndarray,
    base_row: np.ndarray,
    x: np.ndarray,
    fx: np.ndarray,
    num: np.ndarray,
    den: np.ndarray,
    has_follows: bool,
    silent_count: bool,
    p: np.ndarray,
    log_keep: float,
    out: np.ndarray,
) -> None:
    """:func:`learn`'s tail for each lane of the sums ``x`` (neighbours) and ``fx`` (followed
    accounts), without branches (vectorised): ``out`` gets the target comfort, the shares
    of posts seen by kind and the tacit know-how's growth (``log_keep``: see
    :func:`learning_rates`). ``a_row``, ``f_row`` and ``base_row`` are each lane's
    row sums and comfort baseline. The weights are read into scalars first: read from ``p``
    in the loop, they would keep it from being vectorised."""
    cap, w_social, w_endorse = p[P_CAP], p[P_SOCIAL_W], p[P_ENDORSE_W]
    w_engage, w_critic = p[P_ENGAGE_W], p[P_CRITIC_W]
    for lane in range(out.shape[1]):
        a, f_all = a_row[lane], f_row[lane]
        f = fx[0, lane] if has_follows and not silent_count else f_all
        scale = follow_scale(f, a, cap) if has_follows else 1.0
        total = a + scale * f
        s0, s1, s2 = x[0, lane], x[1, lane], x[2, lane]
        s3, s4, s5 = x[3, lane], x[4, lane], x[5, lane]
        if has_follows:
            s0, s1 = s0 + scale * fx[0, lane], s1 + scale * fx[1, lane]
            s2, s3 = s2 + scale * fx[2, lane], s3 + scale * fx[3, lane]
            s4, s5 = s4 + scale * fx[4, lane], s5 + scale * fx[5, lane]
        s0, s1, s2 = share(s0, total), share(s1, total), share(s2, total)
        s3, s4, s5 = share(s3, total), share(s4, total), share(s5, total)
        endorsement = share(num[lane], den[lane])
        target = (
            base_row[lane] + w_social * s0 + w_endorse * endorsement + w_engage * s1 - w_critic * s2
        )
        out[0, lane] = min(max(target, 0.0), 1.0)
        out[1, lane], out[2, lane], out[3, lane] = s3, s4, s5
        out[4, lane] = tacit_growth(s3, s4, s5, log_keep)


@njit(cache=True, inline="always")
def tie_sums(
    lo: int,
    hi: int,
    idx: np.ndarray,
    code: np.ndarray,
    tab: np.ndarray,
    kind: np.ndarray,
    shows: np.ndarray,
    posts_now: np.ndarray,
    out: np.ndarray,
) -> None:
    """``out[k, r]``: the weighted sum over ties ``lo .. hi - 1`` of ``SHOWN[., k]`` in
    replication ``r``, tie after tie in CSR order, as :func:`learn` adds them (a flag times
    its weight is the weight or zero; adding zero leaves a sum as it is, so an account's
    posts are added only to the sum of its kind)."""
    out[:] = 0.0
    for q in range(lo, hi):
        j, wq = idx[q], tab[code[q]]
        kd = 3 + kind[j]  # the sum of posts of the account's kind
        for r in range(out.shape[1]):  # vectorised: one lane per replication
            v = shows[j, r]
            out[0, r] += wq * float(v & ACTIVE_BIT)
            out[1, r] += wq * float((v & ENGAGED_BIT) >> 1)
            out[2, r] += wq * float((v & CRITICISED_BIT) >> 2)
            k = (v >> POSTS_SHIFT) & 63
            if k == POSTS_EXACT:  # many posts: exact count
                k = posts_now[j, r]
            out[kd, r] += wq * float(k)


@njit(cache=True, inline="always")
def lane_buffers(
    lanes: int,
) -> tuple[
    np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray
]:
    """:func:`lane_tail`'s arrays for ``lanes`` lanes: the sums over neighbours (then the
    shares) and over followed accounts (zero without follows), the endorsement's numerator
    and denominator, the results (target comfort, shares of posts seen by kind, tacit
    growth), and each lane's row sums and comfort baseline."""
    return (
        np.zeros((6, lanes)),
        np.zeros((6, lanes)),
        np.zeros(lanes),
        np.zeros(lanes),
        np.zeros((5, lanes)),
        np.zeros(lanes),
        np.zeros(lanes),
        np.zeros(lanes),
    )


AWARE_ACROSS_FROM = 8
"""A batch learning across its replications counts its non-users' aware accounts there
while at least one in this many of its people is a non-user (:func:`step`)."""

ACROSS_ROWS = 32
"""Rows :func:`learn_across` learns before it writes their state, replication by
replication (the state is ``(R, n)``: a row's replications are far apart in memory)."""


@njit(cache=True, error_model="numpy", nogil=True)  # divisions are guarded: no checks
def learn_across(
    comfort: np.ndarray,
    tacit: np.ndarray,
    exposure: np.ndarray,
    restricted: np.ndarray,
    nb_ptr: np.ndarray,
    nb_idx: np.ndarray,
    nb_code: np.ndarray,
    nb_tab: np.ndarray,
    fo_ptr: np.ndarray,
    fo_idx: np.ndarray,
    fo_code: np.ndarray,
    fo_tab: np.ndarray,
    en_ptr: np.ndarray,
    en_idx: np.ndarray,
    en_code: np.ndarray,
    en_tab: np.ndarray,
    nb_sum: np.ndarray,
    nb_sum_tab: np.ndarray,
    fo_sum: np.ndarray,
    fo_sum_tab: np.ndarray,
    en_sum: np.ndarray,
    en_sum_tab: np.ndarray,
    kind: np.ndarray,
    silent_count: bool,
    p: np.ndarray,
    shows: np.ndarray,  # (n, R): shows[j, r] as act and words left it in replication r
    posts_now: np.ndarray,  # (n, R)
    flags: np.ndarray,  # (n, R) as words left them, if aware is to be counted
    aware: np.ndarray,  # (R, n) or (R, 0): what decide's aware reads, if counted here
) -> None:
    """Phase 5 of every replication at once (state ``(R, n)``, exposure ``(3, R, n)``).

    :func:`learn` adds each row's ties one after the other, so one replication's sums form
    a chain of additions that waits on each result. Here every tie is read once for all the
    replications and each replication's sums are a lane of their own: the same additions in
    the same order, so the same numbers as :func:`learn`, bit for bit. The divisions that
    follow are also done for all the replications together, before the state is updated.
    With ``silent_count`` and ``en_sum`` given, the endorsement's denominators are
    ``en_sum``, as in :func:`learn_blocks`. If ``aware`` has a column per person, it gets
    the number of each row's neighbours and followed accounts that make them aware, for
    :func:`decide`.
    """
    R, n = comfort.shape
    has_follows = len(fo_idx) > 0
    sums_given = silent_count and len(en_sum) > 0  # every leader counts: den is en_sum's
    c_rate, log_keep, memory, e_signal = learning_rates(p)
    x, fx, num, den, _, a_row, f_row, base_row = lane_buffers(R)
    results = np.empty((ACROSS_ROWS, 5, R))  # lane_tail's, by row of the block
    counting = aware.shape[1] > 0
    seen = np.zeros((ACROSS_ROWS if counting else 0, R), dtype=np.int32)
    for first in range(0, n, ACROSS_ROWS):
        rows = min(ACROSS_ROWS, n - first)
        for i in range(first, first + rows):
            if counting:
                for ptr, idx in ((nb_ptr, nb_idx), (fo_ptr, fo_idx)):
                    for q in range(ptr[i], ptr[i + 1]):
                        j = idx[q]
                        for r in range(R):
                            seen[i - first, r] += flags[j, r] & AWARE_FLAG
            tie_sums(nb_ptr[i], nb_ptr[i + 1], nb_idx, nb_code, nb_tab, kind, shows, posts_now, x)
            if has_follows:
                tie_sums(
                    fo_ptr[i], fo_ptr[i + 1], fo_idx, fo_code, fo_tab, kind, shows, posts_now, fx
                )
            num[:] = 0.0
            den[:] = en_sum_tab[en_sum[i]] if sums_given else 0.0
            for q in range(en_ptr[i], en_ptr[i + 1]):
                j, wq = en_idx[q], en_tab[en_code[q]]
                for r in range(R):
                    sig, counted = endorses(shows[j, r], e_signal)
                    num[r] += wq * sig
                    if not sums_given:
                        den[r] += wq * counted
            a_row[:] = nb_sum_tab[nb_sum[i]]
            f_row[:] = fo_sum_tab[fo_sum[i]]
            base_row[:] = comfort_baseline(p, restricted[i])
            lane_tail(
                a_row, f_row, base_row, x, fx, num, den, has_follows, silent_count, p, log_keep,
                results[i - first],
            )  # fmt: skip
        # the block's state, replication by replication: rows side by side in memory
        if counting:
            for r in range(R):
                for i in range(first, first + rows):
                    aware[r, i] = seen[i - first, r]
            seen[:] = 0
        for r in range(R):
            for i in range(first, first + rows):
                out = results[i - first]
                (
                    comfort[r, i], tacit[r, i], exposure[0, r, i], exposure[1, r, i],
                    exposure[2, r, i],
                ) = learned(
                    comfort[r, i], tacit[r, i], exposure[0, r, i], exposure[1, r, i],
                    exposure[2, r, i], out[0, r], out[1, r], out[2, r], out[3, r], out[4, r],
                    c_rate, memory,
                )  # fmt: skip


BLOCK_ROWS = 256
"""Rows learned together by :func:`learn_blocks`: the blocks of its layout
(:class:`simulator.sparse.Blocked`; a row within a block is one byte)."""


@njit(cache=True, inline="always")
def column_sums(
    lo: int,
    hi: int,
    q: int,
    columns: np.ndarray,
    counts: np.ndarray,
    rows: np.ndarray,
    codes: np.ndarray,
    tab: np.ndarray,
    shows: np.ndarray,
    flags: np.ndarray,
    posts_now: np.ndarray,
    out: np.ndarray,
    aware: np.ndarray,
    aware_mask: int,
) -> None:
    """Add to ``out[k, row]`` the weighted ``SHOWN[., k]`` of the block's columns
    ``lo .. hi - 1`` (whose entries start at ``q``), column after column: each row gets its
    ties in :func:`learn`'s order. An account that shows nothing adds zeros, which leave the
    sums as they are: skipped, as are the zeros of its posts to the other kinds' sums.
    ``aware[row]`` counts, on the same walk, the accounts whose ``flags`` have ``aware_mask``
    (``AWARE_FLAG``: those that make their observers aware, of those that show something:
    all, when posters make people aware; 0: none, ``aware`` is then only written)."""
    for c in range(lo, hi):
        j = columns[c]
        first, q = q, q + int(counts[c]) + 1
        if flags[j] & SEEN_FLAG == 0:
            continue
        v = shows[j]
        s0 = float(v & ACTIVE_BIT)
        s1 = float((v & ENGAGED_BIT) >> 1)
        s2 = float((v & CRITICISED_BIT) >> 2)
        k = (v >> POSTS_SHIFT) & 63
        posts = float(posts_now[j] if k == POSTS_EXACT else k)
        kd = 3 + ((v >> KIND_SHIFT) & 3)  # the sum of posts of the account's kind
        a = np.int32(flags[j] & aware_mask)
        for e in range(first, q):
            r, wq = rows[e], tab[codes[e]]
            out[0, r] += wq * s0
            out[1, r] += wq * s1
            out[2, r] += wq * s2
            out[kd, r] += wq * posts
            aware[r] += a


@njit(cache=True, error_model="numpy", nogil=True)  # divisions are guarded: no checks
def learn_blocks(
    comfort: np.ndarray,
    tacit: np.ndarray,
    exposure: np.ndarray,
    restricted: np.ndarray,
    bk_ptr: np.ndarray,
    bk_col: np.ndarray,
    bk_count: np.ndarray,
    bk_row: np.ndarray,
    bk_code: np.ndarray,
    nb_tab: np.ndarray,
    fo_tab: np.ndarray,
    en_tab: np.ndarray,
    nb_sum: np.ndarray,
    nb_sum_tab: np.ndarray,
    fo_sum: np.ndarray,
    fo_sum_tab: np.ndarray,
    en_sum: np.ndarray,
    en_sum_tab: np.ndarray,
    silent_count: bool,
    p: np.ndarray,
    shows: np.ndarray,
    flags: np.ndarray,
    posts_now: np.ndarray,
    t: int,
    k0: np.uint64,
    k1: np.uint64,
    stage: np.ndarray,
    explicit: np.ndarray,
    threshold: np.ndarray,
    innovator: np.ndarray,
    cooldown_until: np.ndarray,
    lapses: np.ndarray,
    adopted_at: np.ndarray,
    source: np.ndarray,
    guideline_gain: np.ndarray,
    held: np.ndarray,
    nb_ptr: np.ndarray,
    nb_idx: np.ndarray,
    fo_ptr: np.ndarray,
    fo_idx: np.ndarray,
    ux_ptr: np.ndarray,
    ux_idx: np.ndarray,
    awareness_from_posters: bool,
    lapse_on: bool,
    unaware: np.ndarray,
    events: np.ndarray,
    adoptions: np.ndarray,
    lo: int,
    hi: int,
) -> None:
    """Phases 5 and 6 for the rows of blocks ``lo .. hi - 1`` of the blocked layout
    (:class:`simulator.sparse.Blocked` of the neighbour, follow and endorsement weights):
    each block's sums are built going down its columns, skipping the accounts that show
    nothing (most of them, in most weeks), then :func:`learn_across`'s tail runs over the
    block's rows side by side. Each row adds its ties in :func:`learn`'s order, so the same
    numbers as :func:`learn`, bit for bit; any split of the blocks gives the same numbers.
    With ``silent_count`` the endorsement's denominators are ``en_sum``: each row's weights
    added in that order (every leader counts), so that only the leaders who post, or whose
    delegates post, are visited.

    Each block's people then take their decisions (:func:`decide`, phase 6): a decision
    reads only the person's own row and the accounts' ``flags`` of phase 4, so deciding a
    block as soon as it has learned gives the same numbers as deciding after every block
    has. When posters make people aware (``awareness_from_posters``: an account that makes
    others aware shows something), the non-users' counts of such accounts are taken on
    the way down the columns, instead of going through each non-user's ties again."""
    n = len(comfort)
    blocks = bk_ptr.shape[1] - 1
    has_follows = bk_ptr[1, blocks] > bk_ptr[1, 0]
    # bk_ptr's rows 0-2: where each matrix's columns start in a block; 3-5: its entries
    c_rate, log_keep, memory, e_signal = learning_rates(p)
    x, fx, num, den, out, a_row, f_row, base_row = lane_buffers(BLOCK_ROWS)
    aware = np.zeros(BLOCK_ROWS, dtype=np.int32)
    aware_mask = AWARE_FLAG if awareness_from_posters else 0
    given = aware if awareness_from_posters else aware[:0]
    # the leaders that add to the endorsement: when every leader counts (silent_count), the
    # denominators are the rows' sums (en_sum), added in the same order, and only a leader
    # who posts or whose delegate posts adds to the numerator
    mask = SIGNAL_FLAG if silent_count else SIGNAL_FLAG | COUNTED_FLAG
    for b in range(lo, hi):
        aware[:] = 0
        for m in range(2 if has_follows else 1):  # neighbours, then follows (one copy)
            sums = x if m == 0 else fx
            sums[:] = 0.0
            column_sums(
                bk_ptr[m, b], bk_ptr[m, b + 1], bk_ptr[3 + m, b], bk_col, bk_count, bk_row,
                bk_code, nb_tab if m == 0 else fo_tab, shows, flags, posts_now, sums, aware,
                aware_mask,
            )  # fmt: skip
        first = b * BLOCK_ROWS
        rows = min(BLOCK_ROWS, n - first)  # the last block may be short: the rest is unused
        num[:] = 0.0
        if silent_count:  # every leader counts: each row's denominator is its weights' sum
            for r in range(rows):
                den[r] = en_sum_tab[en_sum[first + r]]
        else:
            den[:] = 0.0
        q = bk_ptr[5, b]
        for c in range(bk_ptr[2, b], bk_ptr[2, b + 1]):
            j = bk_col[c]
            start, q = q, q + int(bk_count[c]) + 1
            if flags[j] & mask == 0:  # adds zeros
                continue
            sig, counted = endorses(shows[j], e_signal)
            for e in range(start, q):
                r, wq = bk_row[e], en_tab[bk_code[e]]
                num[r] += wq * sig
                if not silent_count:
                    den[r] += wq * counted
        for r in range(rows):
            i = first + r
            a_row[r] = nb_sum_tab[nb_sum[i]]
            f_row[r] = fo_sum_tab[fo_sum[i]]
            base_row[r] = comfort_baseline(p, restricted[i])
        lane_tail(
            a_row, f_row, base_row, x, fx, num, den, has_follows, silent_count, p, log_keep, out
        )
        for r in range(rows):
            i = first + r
            comfort[i], tacit[i], exposure[0, i], exposure[1, i], exposure[2, i] = learned(
                comfort[i], tacit[i], exposure[0, i], exposure[1, i], exposure[2, i],
                out[0, r], out[1, r], out[2, r], out[3, r], out[4, r], c_rate, memory,
            )  # fmt: skip
        decide(
            t, k0, k1, stage, comfort, explicit, tacit, threshold, innovator, cooldown_until,
            lapses, adopted_at, source, guideline_gain, exposure, held, nb_ptr, nb_idx, fo_ptr,
            fo_idx, ux_ptr, ux_idx, lapse_on, p, unaware, events, adoptions, flags, given,
            first, first + rows,
        )  # fmt: skip


@njit(cache=True, error_model="numpy", nogil=True)  # divisions are guarded: no checks
def decide(
    t: int,
    k0: np.uint64,
    k1: np.uint64,
    stage: np.ndarray,
    comfort: np.ndarray,
    explicit: np.ndarray,
    tacit: np.ndarray,
    threshold: np.ndarray,
    innovator: np.ndarray,
    cooldown_until: np.ndarray,
    lapses: np.ndarray,
    adopted_at: np.ndarray,
    source: np.ndarray,
    guideline_gain: np.ndarray,
    exposure: np.ndarray,
    held: np.ndarray,
    nb_ptr: np.ndarray,
    nb_idx: np.ndarray,
    fo_ptr: np.ndarray,
    fo_idx: np.ndarray,
    ux_ptr: np.ndarray,
    ux_idx: np.ndarray,
    lapse_on: bool,
    p: np.ndarray,
    unaware: np.ndarray,
    events: np.ndarray,
    adoptions: np.ndarray,
    flags: np.ndarray,
    aware: np.ndarray,
    lo: int,
    hi: int,
) -> None:
    """Phase 6 for people ``lo .. hi - 1`` (events are added to ``events`` and
    ``adoptions``). ``aware[i - lo]``: how many of a non-user's neighbours and followed
    accounts make them aware, if counted already (:func:`learn_blocks`); empty: counted
    here."""
    w = p[P_EXPLICIT_W]
    noise = p[P_NOISE]
    # -- 6. decisions: awareness, posting and lapse, from phase 3's stages ----------------
    # Each person takes at most one decision per week, whose kind (and draw slot) follows
    # their stage: non-user, aware?; listener, post?; poster, lapse? The numbers of a block
    # of people are drawn first (a loop the compiler vectorises): a person's stage changes
    # only at their own decision, so each number is the one their stage asks for.
    u = np.empty(min(DECISION_BLOCK, max(hi - lo, 0)))
    became_aware = 0
    for start in range(lo, hi, DECISION_BLOCK):
        stop = min(start + DECISION_BLOCK, hi)
        for i in range(start, stop):
            u[i - start] = uniform_at2(k0, k1, decision_slot(stage[i]), t, i)
        for i in range(start, stop):
            ui = u[i - start]
            if held[i] >= 0:
                continue  # held people keep their stage (phase 1 set it)
            s = stage[i]
            if s == NON_USER:
                if len(aware) > 0:
                    m = int(aware[i - lo])
                else:
                    m = aware_seen(i, flags, nb_ptr, nb_idx)
                    m += aware_seen(i, flags, fo_ptr, fo_idx)
                if len(ux_idx) > 0:  # (none unattended: ux_ptr is empty)
                    m += aware_seen(i, flags, ux_ptr, ux_idx)
                # as selects: whether a non-user becomes aware is a coin toss to the CPU
                aware_now = ui < 1 - (1 - p[P_BROADCAST]) * unaware[m]
                stage[i] = LISTENER if aware_now else NON_USER
                became_aware += 1 if aware_now else 0
                continue
            if innovator[i]:
                if s == LISTENER and t >= cooldown_until[i]:
                    adopted(
                        i, t, w, comfort, explicit, tacit, threshold, innovator,
                        guideline_gain, exposure, adopted_at, source, adoptions, stage,
                    )  # fmt: skip
                continue
            gap = comfort[i] * (w * explicit[i] + (1 - w) * tacit[i]) - threshold[i]
            if s == LISTENER:
                if t >= cooldown_until[i] and below_chance(ui, gap, noise):
                    adopted(
                        i, t, w, comfort, explicit, tacit, threshold, innovator,
                        guideline_gain, exposure, adopted_at, source, adoptions, stage,
                    )  # fmt: skip
            elif lapse_on:
                margin = gap + p[P_HYSTERESIS]
                if (noise != 0 or margin < 0) and below_chance(ui, -margin, noise):
                    stage[i] = LISTENER
                    lapses[i] += 1
                    events[LAPSES] += 1
    events[AWARE] += became_aware


@njit(cache=True, error_model="numpy")  # divisions are guarded: no checks
def adopted(
    i: int,
    t: int,
    w: float,
    comfort: np.ndarray,
    explicit: np.ndarray,
    tacit: np.ndarray,
    threshold: np.ndarray,
    innovator: np.ndarray,
    guideline_gain: np.ndarray,
    exposure: np.ndarray,
    adopted_at: np.ndarray,
    source: np.ndarray,
    adoptions: np.ndarray,
    stage: np.ndarray,
) -> None:
    """Person ``i`` starts posting: record the adoption with its main source (ODD 7.7)."""
    eff = w * explicit[i] + (1 - w) * tacit[i]
    gap = comfort[i] * eff - threshold[i]
    gg = guideline_gain[i]
    pivotal = False
    if gg > 0 and not innovator[i] and gap >= 0:
        pivotal = comfort[i] * (eff - w * gg) - threshold[i] < 0
    if pivotal:
        code = GUIDELINE
    else:
        e0, e1, e2 = exposure[0, i], exposure[1, i], exposure[2, i]
        top = max(e0, e1, e2)
        code = SPONTANEOUS
        if top > 0:
            code = 1 if e0 == top else (2 if e1 == top else 3)
    if adopted_at[i] < 0:
        adopted_at[i] = t
        source[i] = code
    adoptions[code] += 1
    stage[i] = POSTER
