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

from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from simulator.attention import Frame, product, spread
from simulator.mechanisms.base import Events, Mechanism, attribute, hold, settle
from simulator.state import KINDS, LISTENER, NON_USER, POSTER, State
from simulator.state import efficacy as efficacy_of
from simulator.strategies import Actions

POLICY_SIGN = {"restrictive": -1.0, "neutral": 0.0, "open": 1.0}


def logistic(x: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-x)), computed without overflow."""
    return np.asarray(0.5 * (1 + np.tanh(0.5 * x)))


def chance(gap: np.ndarray, noise: float) -> np.ndarray:
    """Probability that a decision with margin ``gap`` (>= 0 passes) is taken.

    Deterministic (1 where ``gap >= 0``, else 0) when ``noise == 0``; logistic otherwise.
    """
    if noise == 0:
        return np.asarray(gap >= 0, dtype=float)
    return logistic(gap / noise)


class SocialLearning(Mechanism):
    """Posting, responses, attention, learning and decisions (MODEL.md phases 2-6)."""

    name = "social_learning"
    slots = (
        "exposure",
        "decision",
        "lapse",
        "posting",
        "engagement",
        "criticism",
        "pullback",
        "memo",
    )
    reference = "Bandura 1977; Granovetter 1978; Bass 1969"

    def step(self, state: State, actions: Actions, u: Mapping[str, np.ndarray], t: int) -> Events:
        """One week; phases run in order, each reading what the previous phase produced."""
        events = Events(state.replications)
        hold(state, actions, t, events)  # 1. interventions take effect
        self.issue_guidelines(state, actions, u["memo"], events)
        posts = self.post(state, actions, u["posting"], t, events)  # 2. posting
        engaged, criticised, actions = self.respond(state, actions, posts, u, t, events)  # 3.
        active = (t - state.last_post) < self.ctx.params.attention.active_window
        frame = self.ctx.attention.frame(active)  # 4. attention
        self.learn(state, actions, frame, active, posts, engaged, criticised)  # 5. learning
        self.decide(state, actions, active, u, t, events)  # 6. decisions
        return events

    # -- phase 1 ----------------------------------------------------------------------------
    def issue_guidelines(
        self, state: State, actions: Actions, u_memo: np.ndarray, events: Events
    ) -> None:
        """A guideline memo raises explicit know-how toward the cap and makes people aware."""
        if not actions.memo.any():
            return
        d = self.ctx.params.delegation
        gain = d.guideline_strength * np.maximum(0.0, d.guideline_cap - state.explicit)
        gain = np.where(actions.memo, gain, 0.0)
        state.explicit = state.explicit + gain
        state.guideline_gain = state.guideline_gain + gain
        aware = (
            actions.memo
            & (state.stage == NON_USER)
            & (actions.held < 0)
            & (u_memo < d.guideline_awareness)
        )
        state.stage = np.where(aware, LISTENER, state.stage).astype(np.int8)
        events.add("aware", aware)

    # -- phase 2 ----------------------------------------------------------------------------
    def post(
        self, state: State, actions: Actions, u_post: np.ndarray, t: int, events: Events
    ) -> np.ndarray:
        """Posters post ``floor(rate)`` times, plus once more with chance ``rate % 1``."""
        rate = actions.rate
        whole = np.floor(rate)
        posts = np.where(state.stage == POSTER, whole + (u_post < rate - whole), 0).astype(np.int64)
        state.posts = state.posts + posts
        state.last_post = np.where(posts > 0, t, state.last_post)
        events.add("posts", posts)
        events.add("cross_unit", posts * self.ctx.cross_observers)
        return posts

    # -- phase 3 ----------------------------------------------------------------------------
    def respond(
        self,
        state: State,
        actions: Actions,
        posts: np.ndarray,
        u: Mapping[str, np.ndarray],
        t: int,
        events: Events,
    ) -> tuple[np.ndarray, np.ndarray, Actions]:
        """Engagement and criticism of this step's posts; criticised posters may pull back.

        A held leader or delegate who pulls back leaves the role: the returned actions no
        longer hold them.
        """
        params = self.ctx.params
        r, openness = params.responses, params.culture.openness
        engage = min(1.0, r.engagement_rate * openness / 0.5)
        criticise = np.minimum(
            1.0,
            r.criticism_rate
            * (1 - openness)
            / 0.5
            * np.where(self.ctx.top, r.leader_criticism_multiplier, 1.0),
        )
        engaged = (posts > 0) & (u["engagement"] < 1 - (1 - engage) ** posts)
        criticised = (posts > 0) & (u["criticism"] < 1 - (1 - criticise) ** posts)
        state.engaged = state.engaged + engaged
        state.criticised = state.criticised + criticised
        state.comfort = np.where(
            criticised, np.maximum(0.0, state.comfort - r.criticism_comfort_loss), state.comfort
        )
        pull = criticised & (u["pullback"] < r.pullback_rate * state.risk_aversion)
        state.stage = np.where(pull, LISTENER, state.stage).astype(np.int8)
        state.cooldown_until = np.where(pull, t + r.cooldown + 1, state.cooldown_until)
        state.pullbacks = state.pullbacks + pull
        left = pull & (actions.held == POSTER)
        state.left_strategy = state.left_strategy | left
        events.add("engaged", engaged)
        events.add("criticised", criticised)
        events.add("pullbacks", pull)
        if left.any():
            actions = replace(actions, held=np.where(left, -1, actions.held).astype(np.int8))
        return engaged, criticised, actions

    # -- phase 5 ----------------------------------------------------------------------------
    def endorsement(self, active: np.ndarray, delegating: np.ndarray) -> np.ndarray:
        """Weighted share of one's own leaders who post (or whose delegates post, partly).

        A delegate's posts speak for a leader only while that leader's delegation acts.
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
        num, den = product(ctx.endorse, np.stack([signal, counted]))
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)

    def learn(
        self,
        state: State,
        actions: Actions,
        frame: Frame,
        active: np.ndarray,
        posts: np.ndarray,
        engaged: np.ndarray,
        criticised: np.ndarray,
    ) -> None:
        """Comfort moves toward its target; tacit know-how grows with observed posts."""
        params = self.ctx.params
        lp, att = params.learning, self.ctx.attention
        culture = params.culture
        baseline = (
            lp.culture_weight * culture.openness
            + POLICY_SIGN[culture.policy] * culture.policy_shift
            - params.restriction.comfort_penalty * actions.restricted
        )
        by_kind = [posts * (self.ctx.kind == k) for k in range(len(KINDS))]
        social, engagement, criticism, *seen_by_kind = att.shares(
            [active, engaged, criticised, *by_kind], frame
        )
        target = (
            baseline
            + lp.social_weight * social
            + lp.endorsement_weight * self.endorsement(active, actions.delegating)
            + lp.engagement_weight * engagement
            - lp.criticism_weight * criticism
        )
        target = np.clip(target, 0.0, 1.0)
        state.comfort = (1 - lp.comfort_rate) * state.comfort + lp.comfort_rate * target
        exposure = np.stack(seen_by_kind)
        seen = exposure.sum(axis=0)
        state.tacit = state.tacit + (1 - state.tacit) * (1 - (1 - lp.tacit_rate) ** seen)
        memory = 1 - 1 / params.attention.active_window  # recent exposure counts most
        state.exposure = memory * state.exposure + exposure

    # -- phase 6 ----------------------------------------------------------------------------
    def decide(
        self,
        state: State,
        actions: Actions,
        active: np.ndarray,
        u: Mapping[str, np.ndarray],
        t: int,
        events: Events,
    ) -> None:
        """Awareness, posting and lapse, all from the stages as phase 3 left them."""
        params = self.ctx.params
        d = params.decisions
        stage, free = state.stage, actions.held < 0
        if d.awareness_source == "posters":
            source = (stage == POSTER) & active
        else:
            source = stage >= LISTENER
        m = spread(self.ctx.observe, source)
        p_aware = 1 - (1 - d.broadcast) * (1 - d.awareness_rate) ** m
        aware = free & (stage == NON_USER) & (u["exposure"] < p_aware)

        w = params.learning.explicit_weight
        efficacy = efficacy_of(state, w)
        motivation = state.comfort * efficacy
        gap = motivation - state.threshold
        may_post = free & (stage == LISTENER) & (t >= state.cooldown_until)
        adopt = may_post & (state.innovator | (u["decision"] < chance(gap, d.noise)))
        lapse = np.zeros_like(adopt)
        if d.lapse:
            lapse = (
                free
                & (stage == POSTER)
                & ~state.innovator
                & (u["lapse"] < chance(-(gap + d.hysteresis), d.noise))
            )
            if d.noise == 0:  # strictly below threshold - margin
                lapse &= gap + d.hysteresis < 0
        state.lapses = state.lapses + lapse
        events.add("aware", aware)
        events.add("lapses", lapse)

        without = state.comfort * (efficacy - w * state.guideline_gain) - state.threshold
        pivotal = adopt & (state.guideline_gain > 0) & ~state.innovator & (gap >= 0) & (without < 0)
        new_stage = np.where(aware, LISTENER, stage)
        new_stage = np.where(adopt, POSTER, new_stage)
        new_stage = np.where(lapse, LISTENER, new_stage).astype(np.int8)
        settle(state, new_stage, actions, t, events, attribute(state.exposure, pivotal))
