"""Two arms of a workshop run, paired: the same organisation and the same random streams.

The two :class:`~simulator.model.OrgModel` runs get the same seed, so they build the same
organisation and draw the same people and the same weekly numbers (common random numbers,
as ``orgsim compare`` does); only the arm's settings (a leader strategy, or a preset's
parameters) differ. The page's seed ``S`` is a root as the command line's ``--seed`` is: the
pair runs from :func:`simulator.seeds.run_seed` ``(S, 0, 0)``, so it is replication 0 of
``orgsim compare --seed S`` with the same arms and settings, bit for bit. Each week is kept
as a small :class:`Snapshot` (stages, who posted and who was criticised that week), so the
page, the charts and the GIF export read the history without touching the model.

Examples
--------
>>> from simulator.params import Params
>>> run = PairedRun.start(Params().with_updates({"org.size": 120, "steps": 4}), seed=3)
>>> run.step(2).week
2
>>> run.paired  # both arms on the same organisation
True
>>> len(run.history[0]), run.arms
(3, ('model', 'delegate'))
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simulator.model import OrgModel
from simulator.orgchart import Org
from simulator.orgimport import Chart
from simulator.params import STRATEGIES, Params
from simulator.seeds import run_seed
from simulator.state import POSTER, STAGES
from simulator.strategies import NONE

DEFAULT_ARMS: tuple[str, str] = ("model", "delegate")


@dataclass(frozen=True, eq=False)
class Snapshot:
    """One arm in one week: stages and this week's posts and criticism, per person."""

    week: int
    stage: np.ndarray  # int8 (n,), NON_USER / LISTENER / POSTER
    posted: np.ndarray  # bool (n,), posted this week
    criticised: np.ndarray  # bool (n,), drew criticism this week
    level_posters: np.ndarray  # float (levels,), share of posters by level (NaN: empty)

    @property
    def poster_share(self) -> float:
        return float((self.stage == POSTER).mean())

    def shares(self) -> dict[str, float]:
        """Share of people in each stage."""
        counts = np.bincount(self.stage, minlength=len(STAGES)) / len(self.stage)
        return {name: float(c) for name, c in zip(STAGES, counts, strict=True)}


def fingerprint(org: Org) -> str:
    """A short digest of an organisation's structure (managers, levels, units, ties)."""
    digest = hashlib.sha256()
    for array in (org.manager, org.level, org.unit, org.lateral, org.follows):
        digest.update(np.ascontiguousarray(array, dtype=np.int64).tobytes())
    return digest.hexdigest()[:12]


def arm_params(base: Params, arm: str | Mapping[str, Any]) -> Params:
    """The parameters of one arm: a leader strategy name, or a mapping of dotted updates."""
    if isinstance(arm, str):
        if arm not in STRATEGIES:
            raise ValueError(f"unknown strategy {arm!r}; choose from {', '.join(STRATEGIES)}")
        return base.with_updates({"leaders.strategy": arm})
    return base.with_updates(dict(arm))


@dataclass(eq=False)
class PairedRun:
    """Two paired arms stepped together, with their weekly history."""

    params: Params
    seed: int  # the page's root seed; both arms run from run_seed(seed, 0, 0)
    arms: tuple[str, str]
    models: tuple[OrgModel, OrgModel]
    history: tuple[list[Snapshot], list[Snapshot]] = field(default_factory=lambda: ([], []))
    chart: Chart | None = None

    @classmethod
    def start(
        cls,
        params: Params,
        *,
        seed: int = 1,
        arms: Sequence[str] = DEFAULT_ARMS,
        arm_updates: Sequence[Mapping[str, Any]] | None = None,
        chart: Chart | None = None,
    ) -> PairedRun:
        """Build both arms at week 0 (invalid settings raise before anything runs).

        ``arms`` names the arms (leader strategies unless ``arm_updates`` gives each arm's
        dotted-path updates instead); the same name twice becomes ``"<name> (left)"`` and
        ``"<name> (right)"``, so that colours, legends and the room's guesses tell them apart.
        On an org ``chart`` (:class:`~simulator.orgimport.Chart`) both arms run on its people
        (``org.size`` becomes theirs), their ties, follows and audiences drawn as ``orgsim
        compare --org-csv`` draws them. Both arms run from :func:`simulator.seeds.run_seed`
        ``(seed, 0, 0)``: the pair is replication 0 of ``orgsim compare --seed SEED`` with
        these arms and settings.
        """
        if len(arms) != 2:
            raise ValueError(f"a paired run has two arms, got {len(arms)}")
        if chart is not None:  # (the shape parameters are not used: said as the chart's)
            params = params.with_updates({"org.size": chart.n})
        specs: Sequence[str | Mapping[str, Any]] = arm_updates or arms
        per_arm = [arm_params(params, spec) for spec in specs]
        root = run_seed(seed, 0, 0)  # (replication 0 of a command's, or a sweep's, point 0)
        models = tuple(OrgModel(p, rng=root, agents=False, chart=chart) for p in per_arm)
        names = (arms[0], arms[1])
        if names[0] == names[1]:  # the same strategy twice: told apart by side everywhere
            names = (f"{names[0]} (left)", f"{names[1]} (right)")
        run = cls(params, seed, names, (models[0], models[1]), chart=chart)
        for k in range(2):
            run.history[k].append(run._snapshot(k, None))
        return run

    # -- stepping --------------------------------------------------------------------------
    @property
    def week(self) -> int:
        """The last week both arms have recorded."""
        return min(len(self.history[0]), len(self.history[1])) - 1

    @property
    def horizon(self) -> int:
        return self.params.steps

    @property
    def done(self) -> bool:
        return self.week >= self.horizon

    def step(self, weeks: int = 1) -> PairedRun:
        """Advance both arms ``weeks`` weeks (not beyond the horizon)."""
        for _ in range(min(weeks, self.horizon - self.week)):
            snaps = []
            for k, model in enumerate(self.models):
                before = (model.state.posts[0].copy(), model.state.criticised[0].copy())
                model.step()
                snaps.append(self._snapshot(k, before))
            for k, snap in enumerate(snaps):  # readers in other threads use the shorter one
                self.history[k].append(snap)
        return self

    def _snapshot(self, k: int, before: tuple[np.ndarray, np.ndarray] | None) -> Snapshot:
        model = self.models[k]
        state = model.state
        stage = state.stage[0].copy()
        if before is None:
            posted = criticised = np.zeros(len(stage), dtype=bool)
        else:
            posted = state.posts[0] > before[0]
            criticised = state.criticised[0] > before[1]
        level = model.org.level
        counts = np.bincount(level, weights=stage == POSTER, minlength=model.org.levels)
        people = np.bincount(level, minlength=model.org.levels)
        # a grade nobody holds (an imported chart's levels 0, 2, 3): no share, and no bar
        level_posters = np.divide(
            counts, people, out=np.full(len(counts), np.nan), where=people > 0
        )
        week = len(self.history[k])  # the snapshot about to be appended
        return Snapshot(week, stage, posted, criticised, level_posters)

    # -- what the page shows ---------------------------------------------------------------
    @property
    def org(self) -> Org:
        return self.models[0].org

    @property
    def fingerprints(self) -> tuple[str, str]:
        """Each arm's organisation digest; equal when the arms are paired."""
        return fingerprint(self.models[0].org), fingerprint(self.models[1].org)

    @property
    def paired(self) -> bool:
        a, b = self.fingerprints
        return a == b

    def current(self, k: int) -> Snapshot:
        return self.history[k][self.week]

    def poster_curves(self) -> np.ndarray:
        """Share of posters per week, shape ``(2, week + 1)``."""
        upto = self.week + 1
        return np.array([[s.poster_share for s in h[:upto]] for h in self.history])

    def marks(self) -> dict[str, np.ndarray]:
        """Who is marked in the org view: leaders, strategy leaders and delegates (arm 1, 2)."""
        org = self.org
        out = {"leader": np.asarray(org.is_leader)}
        for k in range(2):
            assignment = self.models[k].assignment
            out[f"strategy{k}"] = assignment.strategy != NONE
            out[f"delegate{k}"] = np.asarray(assignment.is_delegate)
        return out
