"""The plan of a scenario: its runs, how they are seeded and paired, and its digest.

:func:`simulator.scenario.plan` validates a scenario and expands it into a :class:`Plan`:
the fixed parameters, the arms and the design points as dotted updates, and the validated
parameters of every (design point, arm). :meth:`Plan.runs` lists the runs as picklable
:class:`RunSpec` objects (arms of a pair on the same seed: common random numbers), and
:meth:`Plan.spec` rebuilds one alone; :meth:`Plan.digest` identifies the runs a results folder
holds (:meth:`Plan.resolved`, leaving out the header's :data:`WORDING` and where an org
chart's files are, :data:`CHART_FILES`).

Examples
--------
>>> from simulator.scenario import parse_scenario
>>> _, p = parse_scenario({
...     "scenario": {"name": "demo", "seed": 1, "replications": 2, "steps": 5},
...     "arms": {"model": {"leaders": {"strategy": "model"}},
...              "delegate": {"leaders": {"strategy": "delegate"}}},
... })
>>> [spec.key for spec in p.runs()]
[(0, 'model', 0), (0, 'delegate', 0), (0, 'model', 1), (0, 'delegate', 1)]
>>> p.spec(0, "model", 1).seed.spawn_key, p.spec(0, "delegate", 1).seed.spawn_key
((0, 1), (0, 1))
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from simulator.params import Params, get_path
from simulator.seeds import run_seed

if TYPE_CHECKING:
    from simulator.custom_outcomes import Outcome
    from simulator.model import OrgModel
    from simulator.orgchart import Org
    from simulator.orgimport import Chart
    from simulator.scenario_file import Scenario

WORDING = frozenset({"question", "max_runs"})
"""Scenario header fields that change no run: a resume after a change to them is taken."""
CHART_FILES = ("org_csv", "ties_csv")
"""Header fields naming an org chart's files: the digest holds their contents, not where
they are (:meth:`Plan.resolved`), so a folder moved with its scenario resumes."""


@dataclass(frozen=True)
class RunSpec:
    """Everything one run needs; picklable, so any executor can run it.

    ``seed`` is the run's root: the scenario's root seed's child ``(point, replication)``;
    every arm of the same point and replication has the same seed (common random numbers).
    ``org`` is the replication whose seed builds the organisation and assignment (``org``
    itself unless the scenario sets ``orgs``), and ``structure`` that seed. ``outcomes``
    are the outcomes the scenario defines (``[outcomes]``), computed beside the built-in ones;
    ``people``, whether a row per person is kept (``[record] people``,
    :mod:`simulator.people`).
    """

    point: int
    arm: str
    replication: int
    params: Params
    seed: np.random.SeedSequence
    record_every: int
    series: tuple[str, ...]
    levels: bool
    org: int
    structure: np.random.SeedSequence
    chart: Chart | None = None
    outcomes: tuple[tuple[str, Outcome], ...] = ()  # the scenario's [outcomes], by name
    people: bool = False  # a row per person ([record] people)

    @property
    def key(self) -> tuple[int, str, int]:
        return (self.point, self.arm, self.replication)

    def organisation(self) -> Org:
        """The run's organisation: generated from ``structure`` and the parameters, or the
        org chart's with the ties, follows and audiences ``structure`` draws."""
        # (as engine.organisation builds it, without importing the engine: the parent
        # process plans and checks set-ups without it)
        from simulator.orgchart import build_org
        from simulator.rng import RunStreams

        streams = RunStreams(self.structure)
        if self.chart is None:
            return build_org(self.params.org, streams.generator("org"))
        return self.chart.org(self.params.org, streams.generator("org"))

    def model(self, *, agents: bool = True) -> OrgModel:
        """The run as a Mesa model, to step week by week and inspect (its people, its org
        chart): its parameters, its seed and organisation (:meth:`organisation`), and with
        ``people``, its people followed from week 0 on.

        Run to the horizon (``model.run()``), its numbers are the sweep's run's, bit for
        bit: ``model.outcomes()`` the built-in outcomes of its row, ``model.series()`` its
        series (every week: the sweep keeps those of ``record_every``), and with ``people``,
        ``simulator.people.frame(model)`` its row per person.
        ``model.outcomes(dict(spec.outcomes))`` adds the scenario's own (``[outcomes]``).

        Parameters
        ----------
        agents : bool
            A Mesa ``Person`` agent per person (as :class:`~simulator.model.OrgModel`'s
            ``agents``); off for speed. The numbers are the same.

        Returns
        -------
        simulator.model.OrgModel
            At week 0, one replication (the run's).
        """
        from simulator.model import OrgModel  # (the parent process plans without the engine)

        model = OrgModel(
            self.params,
            rng=self.seed,
            org=self.organisation(),
            structure=self.structure,
            agents=agents,
        )
        if self.people:  # (as a sweep's run follows them: the same numbers)
            model.recorder.follow(model.state, model.week)
        return model

    @property
    def batch_key(self) -> tuple[int, str, int]:
        """Runs with the same batch key share parameters and organisation: one batch."""
        return (self.point, self.arm, self.org)


@dataclass(frozen=True)
class Plan:
    """A validated scenario expanded: base parameters, arms and design points."""

    scenario: Scenario
    base: dict[str, Any]  # dotted path -> value (fixed parameters, flattened)
    arms: dict[str, dict[str, Any]]  # arm -> dotted updates
    points: list[dict[str, Any]]  # design point -> dotted updates
    params: dict[tuple[int, str], Params]  # validated parameters per (point, arm)
    chart: Chart | None = None  # the org chart every run is on ([scenario] org_csv)
    as_written: dict[str, Any] | None = None  # base, arms, points before numbers in text
    # were made numbers (scenario_planning._as_run), when that changed any: the digest of
    # folders before it

    @property
    def replications(self) -> int:
        return self.scenario.scenario.replications

    @property
    def run_count(self) -> int:
        return len(self.points) * len(self.arms) * self.replications

    @functools.cached_property
    def axis_names(self) -> list[str]:
        names: list[str] = []
        for point in self.points:
            names += [k for k in point if k not in names]
        return names

    @functools.cached_property
    def overrides(self) -> dict[str, list[str]]:
        """Per arm, the swept parameters it sets itself: it runs at its own value at every
        design point, where the other arms follow the design."""
        swept = set(self.axis_names)
        return {arm: sorted(swept & set(updates)) for arm, updates in self.arms.items()}

    def axis_values(self, point: int, arm: str) -> dict[str, Any]:
        """The axes' values a run of ``arm`` at design point ``point`` ran at: the point's,
        or where the arm overrides an axis (:attr:`overrides`), the arm's own (as it
        resolves: ``"none"`` is None)."""
        own = self.overrides[arm]
        if not own:
            return self.points[point]
        return {
            **self.points[point],
            **{key: get_path(self.params[(point, arm)], key) for key in own},
        }

    def seed(self, point: int, replication: int) -> np.random.SeedSequence:
        """The root seed of every arm's run at ``(point, replication)``
        (:func:`simulator.seeds.run_seed` of the scenario's seed)."""
        return run_seed(self.scenario.scenario.seed, point, replication)

    def org_of(self, replication: int) -> int:
        """The replication whose seed builds ``replication``'s organisation."""
        orgs = self.scenario.scenario.orgs
        return replication if orgs is None else replication % orgs

    def replication_order(self) -> list[int]:
        """Replications in run order: those sharing an organisation adjacent."""
        orgs = self.scenario.scenario.orgs
        if orgs is None:
            return list(range(self.replications))
        return sorted(range(self.replications), key=lambda r: (r % orgs, r))

    def runs(self) -> Iterator[RunSpec]:
        """All runs, point by point; arms of a pair adjacent; shared organisations adjacent."""
        for point in range(len(self.points)):
            for rep in self.replication_order():
                for arm in self.arms:
                    yield self.spec(point, arm, rep)

    def spec(self, point: int, arm: str, replication: int) -> RunSpec:
        """Rebuild one run's spec alone (e.g. from a result row)."""
        rec = self.scenario.record
        org = self.org_of(replication)
        return RunSpec(
            point,
            arm,
            replication,
            self.params[(point, arm)],
            self.seed(point, replication),
            rec.every,
            tuple(rec.series),
            rec.levels,
            org,
            self.seed(point, org),
            self.chart,
            tuple(self.scenario.outcomes.items()),
            rec.people,
        )

    def digest(self, *, wording: bool = False, as_written: bool = False) -> str:
        """SHA-256 of the resolved scenario: two folders with the same digest hold the same
        runs. It leaves out the header's :data:`WORDING` (the question, the cap on runs),
        which changes no run; ``wording=True`` keeps them, as the digests of results folders
        written before 2026-12-07 did; ``as_written=True`` takes numbers written as text as
        written (:attr:`as_written`), as folders written before 2026-12-08 did."""
        resolved = self.resolved()
        if as_written and self.as_written is not None:
            resolved.update(self.as_written)
        if not wording:
            header = resolved["scenario"]
            resolved["scenario"] = {k: v for k, v in header.items() if k not in WORDING}
        text = json.dumps(resolved, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def digests(self) -> tuple[str, ...]:
        """This plan's digest and those an older results folder may hold for it."""
        kinds = [False, True] if self.as_written is not None else [False]
        return tuple(self.digest(wording=w, as_written=a) for a in kinds for w in (False, True))

    def resolved(self) -> dict[str, Any]:
        """The scenario as run: header, record, base parameters, arms, every design point
        and the outcomes it defines (``[outcomes]``, when it does)."""
        header, record = self.scenario.scenario, self.scenario.record
        out = {
            "scenario": header.model_dump(
                exclude={*CHART_FILES, *(["orgs"] if header.orgs is None else [])}
            ),
            # (people only when kept: the digests of scenarios without it stay as they were)
            "record": record.model_dump(exclude=set() if record.people else {"people"}),
            "design": self.scenario.design.kind,
            "base": self.base,
            "arms": self.arms,
            "points": self.points,
        }
        if self.chart is not None:
            out["org_chart"] = self.chart.describe()
        if self.scenario.outcomes:  # (a scenario without them keeps its digest)
            out["outcomes"] = {k: v.written() for k, v in self.scenario.outcomes.items()}
        return out
