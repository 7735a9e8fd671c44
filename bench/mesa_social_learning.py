"""The flagship ``social_learning`` rule written as a typical Mesa 3.5 user would write it.

A peer for the benchmarks (bench/speed.py) and the agreement test (tests/test_bench_peer.py),
not part of orgsim: one :class:`mesa.Agent` per person holding its own attributes, Python lists
of neighbour agents with weights, one ``model.agents.do(...)`` pass per phase, and draws from
``self.random``. It follows docs/ODD.md sections 2, 3, 5 and 7.1-7.6 with the leaders' default
strategy; updating is synchronous within each phase as the ODD requires (every pass reads what
the previous pass wrote; stage changes of the decisions are staged and committed in a last
pass). It is statistically, not bit for bit, the same model as ``OrgModel``: other random
numbers, and the same organisation is read from an :class:`simulator.orgchart.Org` as data.

Supported: the strategies ``model``, ``delegate`` (``delegation.mode = "report"``), ``listen``
and ``none`` for the leaders at levels below ``leaders.levels``, acting from week 1 on;
silent followed leaders count (the default). Attribution (ODD 7.7) and the counters are left
out: they do not change the dynamics.
"""

from __future__ import annotations

import math

import mesa

from simulator.orgchart import GRADIENT_LEVELS, Org
from simulator.params import Params

NON_USER, LISTENER, POSTER = 0, 1, 2
HELD = {"model": POSTER, "delegate": POSTER, "delegating": LISTENER, "listen": LISTENER}
POLICY = {"restrictive": -1.0, "neutral": 0.0, "open": 1.0}


def chance(gap: float, noise: float) -> float:
    """Probability of a decision with margin ``gap`` (ODD 7.6, ``g``)."""
    if noise == 0:
        return 1.0 if gap >= 0 else 0.0
    x = -gap / noise
    return 0.0 if x > 700 else 1.0 / (1.0 + math.exp(x))


class Person(mesa.Agent):
    """One employee: traits, stage, comfort and know-how, and whom they watch."""

    def __init__(self, model: SocialLearningModel, level: int, top: bool) -> None:
        super().__init__(model)
        p = model.p
        people = p.people
        self.level = level
        self.top = top  # a leader at a followed level: their posts draw more criticism
        self.innovator = self.random.random() < people.innovators
        threshold = self.random.gauss(people.threshold_mean, people.threshold_sd)
        self.threshold = 0.0 if self.innovator else min(1.0, max(0.0, threshold))
        self.risk_aversion = self.beta(people.risk_aversion_mean)
        self.explicit = self.beta(people.explicit_initial)
        u = self.random.random()
        if u < people.initial_posters:
            self.stage = POSTER
        elif u < people.initial_posters + people.initial_aware:
            self.stage = LISTENER
        else:
            self.stage = NON_USER
        self.next_stage = self.stage
        self.comfort = 0.0
        self.tacit = 0.0
        self.last_post = -(10**9)
        self.cooldown_until = 0
        self.role: str | None = None  # model, delegating, delegate or listen
        self.left_role = False
        self.memo = False  # in the part of the organisation of a delegating leader
        self.posts = 0
        self.engaged = self.criticised = self.active = False
        self.signal = 0.0
        # wired by the model: (agent, weight) pairs, weights normalised to sum 1
        self.attends: list[tuple[Person, float]] = []
        self.observed: list[Person] = []  # every account seen, for awareness
        self.leaders: list[tuple[Person, float]] = []  # own leaders, endorsement weights
        self.delegates: list[Person] = []

    def beta(self, mean: float) -> float:
        """Beta draw with the given mean and concentration 4 (degenerate at 0 and 1)."""
        if mean <= 0 or mean >= 1:
            return float(mean)
        return self.random.betavariate(4 * mean, 4 * (1 - mean))

    @property
    def held(self) -> int | None:
        """The stage a strategy holds this person at, or None when they decide freely."""
        return None if self.left_role else HELD.get(self.role or "")

    # -- phase 1: interventions ----------------------------------------------------------
    def intervene(self) -> None:
        if self.held is not None:
            self.stage = self.held
        if self.memo and self.model.steps == 1:
            d = self.model.p.delegation
            self.explicit += d.guideline_strength * max(0.0, d.guideline_cap - self.explicit)
            free_non_user = self.held is None and self.stage == NON_USER
            if free_non_user and self.random.random() < d.guideline_awareness:
                self.stage = LISTENER

    # -- phases 2 and 3: posting and responses (each person alone) ------------------------
    def post(self) -> None:
        self.posts, self.engaged, self.criticised = 0, False, False
        if self.stage != POSTER:
            return
        model = self.model
        rate = model.role_rate.get(self.role, model.p.people.posting_rate)
        if self.left_role:
            rate = model.p.people.posting_rate
        whole = math.floor(rate)
        k = int(whole) + (self.random.random() < rate - whole)
        if k == 0:
            return
        self.posts, self.last_post = k, model.steps
        critic = model.criticism_top if self.top else model.criticism
        self.engaged = self.random.random() < 1 - (1 - model.engagement) ** k
        self.criticised = self.random.random() < 1 - (1 - critic) ** k
        if self.criticised:
            r = model.p.responses
            self.comfort = max(0.0, self.comfort - r.criticism_comfort_loss)
            if self.random.random() < r.pullback_rate * self.risk_aversion:
                self.stage = LISTENER
                self.cooldown_until = model.steps + r.cooldown + 1
                if self.held == POSTER:
                    self.left_role = True  # a held leader or delegate leaves for good

    # -- phase 4: attention (who is active), then the leaders' endorsement signal ---------
    def notice(self) -> None:
        self.active = self.model.steps - self.last_post < self.model.p.attention.active_window

    def endorse(self) -> None:
        if self.active:
            self.signal = 1.0
        elif self.role == "delegating" and any(d.active for d in self.delegates):
            self.signal = self.model.p.delegation.endorsement
        else:
            self.signal = 0.0

    # -- phase 5: learning -----------------------------------------------------------------
    def learn(self) -> None:
        p = self.model.p
        lp = p.learning
        social = engaged = criticised = seen = 0.0
        for other, w in self.attends:
            if other.active:
                social += w
                if other.posts:
                    engaged += w * other.engaged
                    criticised += w * other.criticised
                    seen += w * other.posts
        num = den = 0.0
        for leader, w in self.leaders:
            num += w * leader.signal
            den += w
        endorsement = num / den if den > 0 else 0.0
        target = (
            self.model.baseline
            + lp.social_weight * social
            + lp.endorsement_weight * endorsement
            + lp.engagement_weight * engaged
            - lp.criticism_weight * criticised
        )
        target = min(1.0, max(0.0, target))
        self.comfort += lp.comfort_rate * (target - self.comfort)
        self.tacit += (1 - self.tacit) * (1 - (1 - lp.tacit_rate) ** seen)

    # -- phase 6: decisions, staged in next_stage and committed in a last pass ---------------
    def decide(self) -> None:
        self.next_stage = self.stage
        if self.held is not None:
            return
        d = self.model.p.decisions
        w = self.model.p.learning.explicit_weight
        gap = self.comfort * (w * self.explicit + (1 - w) * self.tacit) - self.threshold
        if self.stage == NON_USER:
            m = sum(1 for other in self.observed if other.stage == POSTER and other.active)
            p_aware = 1 - (1 - d.broadcast) * (1 - d.awareness_rate) ** m
            if self.random.random() < p_aware:
                self.next_stage = LISTENER
        elif self.stage == LISTENER:
            if self.model.steps >= self.cooldown_until and (
                self.innovator or self.random.random() < chance(gap, d.noise)
            ):
                self.next_stage = POSTER
        elif d.lapse and not self.innovator:
            margin = gap + d.hysteresis  # strictly below threshold - hysteresis (noise 0)
            if (d.noise or margin < 0) and self.random.random() < chance(-margin, d.noise):
                self.next_stage = LISTENER

    def commit(self) -> None:
        self.stage = self.next_stage


class SocialLearningModel(mesa.Model):
    """One organisation (an :class:`Org`, read as data) running the social-learning rule."""

    def __init__(self, org: Org, params: Params | None = None, rng: int | None = None) -> None:
        super().__init__(rng=rng)
        p = self.p = params if params is not None else Params()
        lead, deleg = p.leaders, p.delegation
        if lead.strategy not in ("model", "delegate", "listen", "none"):
            raise NotImplementedError(f"leaders.strategy = {lead.strategy!r}")
        if lead.rules or lead.start or lead.stop is not None or deleg.mode != "report":
            raise NotImplementedError("only the default schedule and report delegates")
        if not p.attention.silent_leaders_count:
            raise NotImplementedError("attention.silent_leaders_count = false")
        o, r = p.culture.openness, p.responses
        self.baseline = p.learning.culture_weight * o + POLICY[p.culture.policy] * (
            p.culture.policy_shift
        )
        self.engagement = min(1.0, r.engagement_rate * o / 0.5)
        self.criticism = min(1.0, r.criticism_rate * (1 - o) / 0.5)
        self.criticism_top = min(1.0, self.criticism * r.leader_criticism_multiplier)
        delegate_rate = lead.rate if deleg.fair_posts else deleg.rate
        self.role_rate = {"model": lead.rate, "delegate": delegate_rate}

        n = org.n
        manager = org.manager.tolist()
        level = org.level.tolist()
        self.reports: list[list[int]] = [[] for _ in range(n)]
        for i, boss in enumerate(manager):
            if boss >= 0:
                self.reports[boss].append(i)
        top = [level[i] < p.org.follow_levels and bool(self.reports[i]) for i in range(n)]
        self.people = [Person(self, level[i], top[i]) for i in range(n)]
        follows = self.assign_strategies(manager, level)
        self.wire(org, manager, level, top, follows)

    def assign_strategies(self, manager: list[int], level: list[int]) -> list[tuple[int, int]]:
        """Leaders' roles, delegates, the memo, and who follows the delegates (ODD 2)."""
        p, people = self.p, self.people
        leaders = [i for i in range(len(people)) if self.reports[i] and level[i] < p.leaders.levels]
        role = {"delegate": "delegating"}.get(p.leaders.strategy, p.leaders.strategy)
        if role == "none":
            return []
        for i in leaders:
            people[i].role = role
        if role != "delegating":
            return []
        appointed = []
        for i in sorted(leaders, key=lambda j: level[j]):
            layer = self.reports[i]
            while layer:  # a free report, else one a level further down
                free = [j for j in layer if people[j].role is None]
                if free:
                    pick = self.random.choice(free)
                    people[pick].role = "delegate"
                    people[i].delegates.append(people[pick])
                    appointed.append(pick)
                    break
                layer = [c for j in layer for c in self.reports[j]]
        for i in range(len(people)):  # the memo reaches each delegating leader's subtree
            j = i
            while j >= 0 and people[j].role != "delegating":
                j = manager[j]
            people[i].memo = j >= 0
        if not p.delegation.followed:
            return []
        prob = p.org.follow_prob
        return [
            (i, d)
            for d in appointed
            for i in range(len(people))
            if i != d and self.random.random() < prob
        ]

    def wire(
        self,
        org: Org,
        manager: list[int],
        level: list[int],
        top: list[bool],
        follows: list[tuple[int, int]],
    ) -> None:
        """Attention weights, capped follows, observed accounts and own leaders (ODD 7.1, 7.5)."""
        a, people, n = self.p.attention, self.people, org.n
        deepest = max(level)
        prestige = [a.prestige_step ** min(deepest - lv, GRADIENT_LEVELS) for lv in level]
        ties: list[dict[int, float]] = [{} for _ in range(n)]

        def tie(i: int, j: int, w: float) -> None:
            if i != j:
                ties[i][j] = max(ties[i].get(j, 0.0), w)

        for i in range(n):
            boss = manager[i]
            if boss >= 0:
                tie(i, boss, a.manager_weight)
                tie(boss, i, a.report_weight)
                if org.team_ties:
                    for mate in self.reports[boss]:
                        tie(i, mate, a.team_weight)
        for i, j in org.lateral.tolist():
            tie(i, j, a.lateral_weight)
            tie(j, i, a.lateral_weight)
        org_followed: list[set[int]] = [set() for _ in range(n)]  # top leaders (ODD 2)
        for i, j in org.follows.tolist():
            org_followed[i].add(j)
        followed = [set(s) for s in org_followed]
        for i, j in follows:  # the delegates' followers
            followed[i].add(j)
        for i, person in enumerate(people):
            near = {j: w * prestige[j] for j, w in ties[i].items() if w > 0}
            far = {j: a.follow_weight * prestige[j] for j in followed[i] if j not in near}
            a_i, f_i = sum(near.values()), sum(far.values())
            c = 1.0  # the follow cap
            if a_i > 0 and f_i > 0 and f_i / (a_i + f_i) > a.follow_cap:
                c = a.follow_cap * a_i / ((1 - a.follow_cap) * f_i)
            total = a_i + c * f_i
            if total > 0:
                person.attends = [(people[j], w / total) for j, w in near.items()]
                person.attends += [(people[j], c * w / total) for j, w in far.items()]
            person.observed = [people[j] for j in ties[i].keys() | followed[i] if j != i]
            own: dict[int, float] = {}  # the chain of command, then followed top leaders
            boss, w = manager[i], 1.0
            while boss >= 0:
                own[boss] = max(own.get(boss, 0.0), w)
                boss, w = manager[boss], w * a.chain_decay
            for j in org_followed[i]:
                if top[j]:
                    own[j] = max(own.get(j, 0.0), a.followed_endorsement)
            person.leaders = [(people[j], w) for j, w in own.items()]

    def step(self) -> None:
        """One week: the six phases of docs/ODD.md section 3, one pass each."""
        for phase in ("intervene", "post", "notice", "endorse", "learn", "decide", "commit"):
            self.agents.do(phase)

    def poster_share(self) -> float:
        return sum(person.stage == POSTER for person in self.people) / len(self.people)
