"""The fused ``social_learning`` step: one compiled pass per phase, no Python loop over people.

:class:`~simulator.mechanisms.social_learning.SocialLearning` is the readable face of the
rule; this module is its engine. One call advances every replication of a batch by one step,
phase by phase as docs/ODD.md orders them. Sums over ties run in CSR order, as scipy's
products do; inactive accounts are skipped (adding exact zeros changes no sum), which makes
the cost of the attention phase follow the number of active accounts. Uniform numbers are
computed from the replication's key only where a decision needs one (:func:`uniform_at`), so
a batch equals its replications run one by one, bit for bit.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from simulator.rng import SLOTS, uniform_at, uniform_at2

NON_USER, LISTENER, POSTER = 0, 1, 2
ASSIGNED, GUIDELINE, SPONTANEOUS = 0, 4, 5  # indices into simulator.state.SOURCES
POSTS, ENGAGED, CRITICISED, LAPSES, PULLBACKS, AWARE, CROSS = range(7)  # Events.NAMES
S_EXPOSURE, S_DECISION, S_LAPSE, S_POSTING, S_ENGAGEMENT, S_CRITICISM, S_PULLBACK, S_MEMO = (
    SLOTS.index(s)
    for s in (
        "exposure",
        "decision",
        "lapse",
        "posting",
        "engagement",
        "criticism",
        "pullback",
        "memo",
    )
)

DECISION_SLOT = np.array([S_EXPOSURE, S_DECISION, S_LAPSE], dtype=np.int64)  # by stage

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
def draw_below(key: np.ndarray, slot: int, t: int, i: int, p: float) -> bool:
    """``u < p`` for the person's number in ``slot``; no number is computed when p is 0 or 1."""
    if p <= 0.0:
        return False
    if p >= 1.0:
        return True
    return uniform_at(key, slot, t, i) < p


@njit(cache=True)
def step(
    t: int,
    k0: np.ndarray,  # (R,) first Philox key word of each replication
    k1: np.ndarray,  # (R,) second key word
    # state, (n, R) unless noted (people by replications); updated in place
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
    exposure: np.ndarray,  # (n, 3, R)
    # actions
    held: np.ndarray,  # (n, R) int8, updated when a held person leaves the role
    rate: np.ndarray,  # (n, R)
    restricted: np.ndarray,  # (n,)
    memo: np.ndarray,  # (n,)
    any_memo: bool,
    delegating: np.ndarray,  # (n,)
    # network (CSR arrays)
    nb_ptr: np.ndarray,
    nb_idx: np.ndarray,
    nb_w: np.ndarray,
    fo_ptr: np.ndarray,
    fo_idx: np.ndarray,
    fo_w: np.ndarray,
    ob_ptr: np.ndarray,
    ob_idx: np.ndarray,
    en_ptr: np.ndarray,
    en_idx: np.ndarray,
    en_w: np.ndarray,
    dl_ptr: np.ndarray,
    dl_idx: np.ndarray,
    # per person
    kind: np.ndarray,
    criticise: np.ndarray,
    cross_observers: np.ndarray,
    nb_total: np.ndarray,
    fo_total: np.ndarray,
    # switches and scalars
    silent_count: bool,
    awareness_from_posters: bool,
    lapse_on: bool,
    p: np.ndarray,
    unaware: np.ndarray,  # (1 - awareness_rate) ** m for m = 0 .. most observed accounts
    # outputs: (R, 7) event counts, (R, 6) adoptions by source
    events: np.ndarray,
    adoptions: np.ndarray,
) -> None:
    n, R = stage.shape
    has_follows = len(fo_idx) > 0
    window = int(p[P_WINDOW])
    memory = 1 - 1 / p[P_WINDOW]
    w = p[P_EXPLICIT_W]
    noise = p[P_NOISE]
    cap = p[P_CAP]
    c_rate = p[P_COMFORT_RATE]
    log_keep = math.log1p(-p[P_TACIT_RATE])
    engage_1 = 1 - (1 - p[P_ENGAGE])
    # x[j, r, :]: what account j shows in replication r this step: active, engaged,
    # criticised, posts by kind (leader, peer, delegate), endorsement signal, counted.
    x = np.zeros((n, R, 8))
    aware_src = np.zeros((n, R))  # accounts that make others aware (phase 3's stages)
    acc = np.zeros((R, 8))
    fol = np.zeros((R, 8))
    seen = np.zeros(R)
    key = np.empty(2, dtype=np.uint64)
    # -- 1. interventions, 2. posting, 3. responses: each person on their own -------------
    for i in range(n):
        for r in range(R):
            key[0], key[1] = k0[r], k1[r]
            h = held[i, r]
            if h >= 0 and h != stage[i, r]:
                if stage[i, r] != POSTER and h == POSTER:
                    if adopted_at[i, r] < 0:
                        adopted_at[i, r] = t
                        source[i, r] = ASSIGNED
                    adoptions[r, ASSIGNED] += 1
                stage[i, r] = h
            if any_memo and memo[i]:
                gain = p[P_G_STRENGTH] * max(0.0, p[P_G_CAP] - explicit[i, r])
                explicit[i, r] = explicit[i, r] + gain
                guideline_gain[i, r] = guideline_gain[i, r] + gain
                if (
                    stage[i, r] == NON_USER
                    and h < 0
                    and draw_below(key, S_MEMO, t, i, p[P_G_AWARENESS])
                ):
                    stage[i, r] = LISTENER
                    events[r, AWARE] += 1
            if stage[i, r] != POSTER:
                continue
            whole = math.floor(rate[i, r])
            k = int(whole) + int(draw_below(key, S_POSTING, t, i, rate[i, r] - whole))
            if k == 0:
                continue
            posts_total[i, r] += k
            last_post[i, r] = t
            events[r, POSTS] += k
            events[r, CROSS] += k * cross_observers[i]
            x[i, r, 3 + kind[i]] = k
            q_e = engage_1 if k == 1 else 1 - (1 - p[P_ENGAGE]) ** float(k)
            if draw_below(key, S_ENGAGEMENT, t, i, q_e):
                x[i, r, 1] = 1.0
                engaged_total[i, r] += 1
                events[r, ENGAGED] += 1
            q_c = 1 - (1 - criticise[i]) ** float(k)
            if not draw_below(key, S_CRITICISM, t, i, q_c):
                continue
            x[i, r, 2] = 1.0
            criticised_total[i, r] += 1
            events[r, CRITICISED] += 1
            comfort[i, r] = max(0.0, comfort[i, r] - p[P_COMFORT_LOSS])
            if draw_below(key, S_PULLBACK, t, i, p[P_PULLBACK] * risk[i, r]):
                stage[i, r] = LISTENER
                cooldown_until[i, r] = t + int(p[P_COOLDOWN]) + 1
                pullbacks[i, r] += 1
                events[r, PULLBACKS] += 1
                if h == POSTER:
                    left[i, r] = True
                    held[i, r] = -1
    # -- 4. attention: who is active, endorsement signals ---------------------------------
    for i in range(n):
        for r in range(R):
            on = (t - last_post[i, r]) < window
            delegate_posts = False
            if delegating[i]:
                for q in range(dl_ptr[i], dl_ptr[i + 1]):
                    if (t - last_post[dl_idx[q], r]) < window:
                        delegate_posts = True
                        break
            sig = 1.0 if on else (p[P_ENDORSEMENT] if delegate_posts else 0.0)
            x[i, r, 0] = 1.0 if on else 0.0
            x[i, r, 6] = sig
            x[i, r, 7] = 1.0 if silent_count or sig > 0 else 0.0
            if awareness_from_posters:
                aware_src[i, r] = 1.0 if stage[i, r] == POSTER and on else 0.0
            else:
                aware_src[i, r] = 1.0 if stage[i, r] >= LISTENER else 0.0
    # -- 5. learning: attention-weighted shares ------------------------------------------
    for i in range(n):
        acc[:] = 0.0
        for q in range(nb_ptr[i], nb_ptr[i + 1]):
            j, wq = nb_idx[q], nb_w[q]
            for r in range(R):
                for c in range(6):
                    acc[r, c] += wq * x[j, r, c]
        if has_follows:
            fol[:] = 0.0
            for q in range(fo_ptr[i], fo_ptr[i + 1]):
                j, wq = fo_idx[q], fo_w[q]
                for r in range(R):
                    for c in range(6):
                        fol[r, c] += wq * x[j, r, c]
        for q in range(en_ptr[i], en_ptr[i + 1]):
            j, wq = en_idx[q], en_w[q]
            for r in range(R):
                acc[r, 6] += wq * x[j, r, 6]
                acc[r, 7] += wq * x[j, r, 7]
        a = nb_total[i]
        baseline = p[P_BASELINE] - p[P_PENALTY] * (1.0 if restricted[i] else 0.0)
        for r in range(R):
            f = fo_total[i]
            scale = 1.0
            if has_follows:
                if not silent_count:
                    f = fol[r, 0]  # only active followed accounts take attention
                if not (f * (1 - cap) <= cap * a or a == 0):
                    scale = cap * a / ((1 - cap) * f)
                for c in range(6):
                    acc[r, c] += scale * fol[r, c]
            total = a + scale * f
            for c in range(6):
                acc[r, c] = acc[r, c] / total if total > 0 else 0.0
            endorsement = acc[r, 6] / acc[r, 7] if acc[r, 7] > 0 else 0.0
            target = (
                baseline
                + p[P_SOCIAL_W] * acc[r, 0]
                + p[P_ENDORSE_W] * endorsement
                + p[P_ENGAGE_W] * acc[r, 1]
                - p[P_CRITIC_W] * acc[r, 2]
            )
            target = min(max(target, 0.0), 1.0)
            comfort[i, r] = (1 - c_rate) * comfort[i, r] + c_rate * target
            seen[r] = acc[r, 3] + acc[r, 4] + acc[r, 5]
            for c in range(3):
                exposure[i, c, r] = memory * exposure[i, c, r] + acc[r, 3 + c]
        for r in range(R):
            if seen[r] > 0:  # tacit know-how: 1 - (1 - tacit_rate) ** seen, by logarithm
                tacit[i, r] = tacit[i, r] + (1 - tacit[i, r]) * -math.expm1(seen[r] * log_keep)
    # -- 6. decisions: awareness, posting and lapse, from phase 3's stages ----------------
    # Each person takes at most one decision per step, whose kind depends on their stage
    # (non-user: aware?, listener: post?, poster: lapse?); its probability and its number
    # are computed for every replication first, then applied without branches.
    u = np.empty(R)
    prob = np.empty(R)
    for i in range(n):
        m = seen  # reused: observed accounts that make people aware, per replication
        m[:] = 0.0
        for q in range(ob_ptr[i], ob_ptr[i + 1]):
            j = ob_idx[q]
            for r in range(R):
                m[r] += aware_src[j, r]
        for r in range(R):
            s = stage[i, r]
            eff = w * explicit[i, r] + (1 - w) * tacit[i, r]
            gap = comfort[i, r] * eff - threshold[i, r]
            margin = gap + p[P_HYSTERESIS]
            if s == NON_USER:
                prob[r] = 1 - (1 - p[P_BROADCAST]) * unaware[int(m[r])]
            elif s == LISTENER:
                prob[r] = chance(gap, noise)
            else:
                prob[r] = chance(-margin, noise) if (noise != 0 or margin < 0) else 0.0
        for r in range(R):
            u[r] = uniform_at2(k0[r], k1[r], DECISION_SLOT[stage[i, r]], t, i)
        for r in range(R):
            s = stage[i, r]
            free = held[i, r] < 0
            hit = u[r] < prob[r]
            aware = free and s == NON_USER and hit
            adopt = (
                free and s == LISTENER and t >= cooldown_until[i, r] and (innovator[i, r] or hit)
            )
            lapse = free and s == POSTER and lapse_on and not innovator[i, r] and hit
            events[r, AWARE] += aware
            events[r, LAPSES] += lapse
            lapses[i, r] += lapse
            stage[i, r] = s + aware + adopt - lapse
            if adopt:
                adopted(
                    i,
                    r,
                    t,
                    w,
                    comfort,
                    explicit,
                    tacit,
                    threshold,
                    innovator,
                    guideline_gain,
                    exposure,
                    adopted_at,
                    source,
                    adoptions,
                )


@njit(cache=True)
def adopted(
    i: int,
    r: int,
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
) -> None:
    """Record person ``i``'s adoption in replication ``r``, with its main source (ODD 7.7)."""
    eff = w * explicit[i, r] + (1 - w) * tacit[i, r]
    gap = comfort[i, r] * eff - threshold[i, r]
    gg = guideline_gain[i, r]
    pivotal = False
    if gg > 0 and not innovator[i, r] and gap >= 0:
        pivotal = comfort[i, r] * (eff - w * gg) - threshold[i, r] < 0
    if pivotal:
        code = GUIDELINE
    else:
        e0, e1, e2 = exposure[i, 0, r], exposure[i, 1, r], exposure[i, 2, r]
        top = max(e0, e1, e2)
        code = SPONTANEOUS
        if top > 0:
            code = 1 if e0 == top else (2 if e1 == top else 3)
    if adopted_at[i, r] < 0:
        adopted_at[i, r] = t
        source[i, r] = code
    adoptions[r, code] += 1
