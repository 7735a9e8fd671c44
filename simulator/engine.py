"""The engine: one organisation and a batch of replications, advanced a week at a time by
the mechanism's compiled step, without Mesa.

:class:`simulator.model.OrgModel` is this engine with a Mesa face (time, events, ``Person``
agents for inspection, the app and notebooks). Sweeps and large runs use the engine alone:
the same numbers, bit for bit, without importing Mesa or pandas until a table is asked for.

Examples
--------
>>> from simulator.engine import Engine
>>> from simulator.params import Params
>>> engine = Engine(Params().with_updates({"org.size": 200, "steps": 10}), rng=1).run()
>>> engine.week, 0 <= engine.poster_share() <= 1
(10, True)
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Self

import numpy as np

from simulator.errors import is_whole
from simulator.mechanisms import Context, Mechanism, make
from simulator.metrics import Recorder, outcomes
from simulator.orgchart import Org, build_org
from simulator.params import OrgParams, Params
from simulator.rng import Draws, RunStreams, SeedLike
from simulator.state import POSTER, efficacy, init_state
from simulator.strategies import Strategies, assign

if TYPE_CHECKING:
    import pandas as pd

    from simulator.orgimport import Chart


def organisation(
    params: Params, structure: SeedLike | RunStreams, chart: Chart | None = None
) -> Org:
    """The organisation an engine generates for ``params`` and ``structure`` (from the
    ``org`` stream of that seed), or builds on an org ``chart`` with the ties, follows and
    audiences that stream draws: runs given the same ones share it. A sweep's run builds
    its organisation the same way (:meth:`simulator.plan.RunSpec.organisation`)."""
    streams = structure if isinstance(structure, RunStreams) else RunStreams(structure)
    if chart is not None:
        return chart.org(params.org, streams.generator("org"))
    return build_org(params.org, streams.generator("org"))


class Engine:
    """Social diffusion of active social-media use in one organisation, without Mesa.

    One step is one week. Within a step the phases run in a fixed order (interventions,
    posting, responses, attention, learning, decisions; docs/ODD.md) and updating is
    synchronous within each phase: every person's update in a phase reads the state the
    previous phase left, so the order of people never matters.

    Parameters
    ----------
    params : Params, optional
        All parameters (defaults if omitted).
    rng : int, SeedSequence, Generator or a sequence of them, optional
        The run's root seed (SPEC 7). A sequence gives a batch of replications of the same
        organisation: the org (unless given) and the strategy assignment (delegates, their
        followers) come from ``structure`` (default: the first seed); each replication's people
        and dynamics come from its own seed alone, so replication ``r`` of a batch equals the
        single run with seed ``r`` and the same ``structure``, bit for bit. ``None`` draws
        fresh entropy, kept in ``model.seeds`` so that the run can be rebuilt.
    org : Org, optional
        A given organisation; otherwise one is generated from ``params.org`` on the ``org``
        stream of ``structure`` (default: the first seed).
    chart : Chart or path, optional
        An org chart read from a table (:meth:`simulator.orgimport.Chart.read`, or the
        table's path, read the same way; with
        :meth:`~simulator.orgimport.Chart.with_ties` for informal ties): the organisation
        is built on it, its ties (unless the chart has them), follows and audiences drawn
        from the ``org`` stream of ``structure``, as a sweep's run on that chart with that
        seed builds it, and ``org.size`` is the chart's. Not with ``org``.
    structure : int, SeedSequence or Generator, optional
        Seed of the organisation and the strategy assignment (its ``org`` and ``assignment``
        streams) instead of the first run seed's: runs given the same ``structure`` share the
        organisation and delegates, so they can run as one batch and each equals its own
        single run with that ``structure``.
    like : Context, optional
        An earlier engine's context: where this engine's network is the same (the same
        ``org`` object, attention parameters and followed delegates), it is reused with what
        the mechanism compiled from it instead of being compiled again
        (:meth:`~simulator.mechanisms.base.Context.build`). The numbers do not change.
    """

    weeks_at_once: ClassVar[bool] = True
    """Whether :meth:`run` hands the steps under the same actions to the mechanism at once
    (off where each step must go through :meth:`step`, as in the Mesa face)."""

    def __init__(
        self,
        params: Params | None = None,
        *,
        rng: SeedLike | Sequence[SeedLike] = None,
        org: Org | None = None,
        structure: SeedLike = None,
        like: Context | None = None,
        chart: Chart | str | os.PathLike[str] | None = None,
    ) -> None:
        if params is not None and not isinstance(params, Params):
            raise TypeError(
                f"params must be a Params, not {type(params).__name__}: e.g."
                " Params().with_updates({'org.size': 200}) (dotted paths: see 'orgsim params')"
            )
        if chart is not None and org is not None:
            raise TypeError("give an organisation (org=) or an org chart (chart=), not both")
        if isinstance(chart, str | os.PathLike):  # (the table's path: read, as Chart.read does)
            from simulator.orgimport import Chart

            chart = Chart.read(Path(chart))
        if chart is not None:  # (its people, as a scenario on the chart records them)
            size = (params or Params()).org.size
            if size not in (chart.n, OrgParams.model_fields["size"].default):
                warnings.warn(
                    f"params set org.size = {size:,}, but the org chart given (chart=) has"
                    f" {chart.n:,} people: they are the ones simulated, and org.size is not used",
                    UserWarning,
                    stacklevel=3 if type(self) is not Engine else 2,
                )
            params = (params or Params()).with_updates({"org.size": chart.n})
        seeds = list(rng) if isinstance(rng, Sequence) and not isinstance(rng, str) else [rng]
        self.streams = [RunStreams(seed) for seed in seeds]
        self._params = params if params is not None else Params()
        self.seeds = [s.root for s in self.streams]
        shared = self.streams[0] if structure is None else RunStreams(structure)
        self.org = org if org is not None else organisation(self.params, shared, chart)
        size = self.params.org.size
        if org is not None and size != org.n and size != OrgParams.model_fields["size"].default:
            warnings.warn(
                f"params set org.size = {size:,}, but the organisation given (org=) has"
                f" {org.n:,} people: it is the one simulated, and org.size is not used",
                UserWarning,
                stacklevel=3 if type(self) is not Engine else 2,  # (a subclass's __init__,
                # such as OrgModel's, calls this one: the user's line is one further up)
            )
        self.assignment = assign(self.org, self.params, shared.generator("assignment"))
        self.strategies = Strategies(self.org, self.params, self.assignment)
        self.context = Context.build(self.org, self.params, self.assignment, like)
        self.org.forget_layers()  # compiled into the context; rebuilt on demand
        self.context.org.forget_layers()
        self.recorder = Recorder(self.context)  # (before the mechanism frees what it compiled)
        self.mechanism: Mechanism = make(self.context)
        people = [s.generator("people") for s in self.streams]
        self.state = init_state(self.org.n, self.params.people, people)
        self.mechanism.initialise(self.state, people)
        self.draws = Draws([s.seed("dynamics") for s in self.streams])
        self.recorder.record(self.state)
        self.week = 0  # weeks run so far

    @property
    def params(self) -> Params:
        """The parameters the engine was built with. They are compiled into its network,
        strategies and mechanism, so they cannot be replaced during a run: build a new engine
        for other parameters; for a change of policy during a run, schedule it
        (``leaders.start``/``stop``, or a rule's ``start``/``stop``)."""
        return self._params

    @params.setter
    def params(self, value: Params) -> None:
        raise AttributeError(
            "the parameters are compiled into the model when it is built and cannot be"
            " replaced during a run: build a new model with the new parameters (with"
            " rng=model.seeds for the same random numbers), or schedule a change of policy"
            " with leaders.start/leaders.stop or a rule's start/stop (see 'orgsim params')"
        )

    def step(self) -> None:
        """One week: strategies act, then the mechanism's phases, then the record."""
        self._advance(1)

    def run(self, steps: int | None = None) -> Self:
        """Run ``steps`` more steps; by default, the weeks left to the horizon
        ``params.steps`` (none once there: a run made again, as a notebook cell run twice
        makes it, is not carried a year further without a word; it warns).

        The same numbers as :meth:`step` called step after step. The steps under the same
        actions (no schedule starting or stopping) go to the mechanism together
        (:meth:`~simulator.mechanisms.base.Mechanism.run_weeks`), so that a compiled one
        runs and records them in one call (unless ``weeks_at_once`` is off)."""
        if steps is not None and not (is_whole(steps) and steps >= 0):
            raise ValueError(f"run(steps={steps!r}): steps must be a whole number >= 0")
        todo = self.params.steps - self.week if steps is None else int(steps)
        if todo <= 0 and steps is None:
            warnings.warn(
                f"run(): this run is at week {self.week}, at or past its horizon (steps ="
                f" {self.params.steps}), so nothing more was run; run(n) runs n more weeks",
                UserWarning,
                stacklevel=2,
            )
        while todo > 0:
            if self.weeks_at_once:
                todo -= self._advance(todo)
            else:
                self.step()  # (in the Mesa face, through Mesa's clock)
                todo -= 1
        return self

    def _advance(self, most: int) -> int:
        """Up to ``most`` steps under the same actions (at least one), each recorded; returns
        the steps run."""
        t = self.week + 1
        actions = self.strategies.actions(t, self.state)
        draws = self.draws.step(self.mechanism.slots, self.org.n, t)
        weeks = min(most, self.strategies.steady(t))
        done = self.mechanism.run_weeks(self.state, actions, draws, t, weeks, self.recorder)
        self.week += done
        return done

    # -- results ---------------------------------------------------------------------------
    def series(self) -> pd.DataFrame:
        """Tidy per-step table (see :class:`simulator.metrics.Recorder`)."""
        return self.recorder.frame()

    def levels(self) -> pd.DataFrame:
        """Tidy per-step, per-level table of stage shares."""
        return self.recorder.level_frame()

    def outcomes(self, defined: Mapping[str, Any] | None = None) -> pd.DataFrame:
        """Per-run outcomes, one row per replication (see :func:`simulator.metrics.outcomes`).

        ``defined``: outcomes of one's own, by name, as a scenario's ``[outcomes]`` writes
        them (``{"poster_w26": {"series": "poster", "at": 26}}``; see
        :mod:`simulator.custom_outcomes`), added as columns. They read the weeks run so far
        (:attr:`week`): on an engine stepped part-way, a ``stat`` without ``until`` and a
        ``first_reaching`` cover weeks 0 to :attr:`week`. Raises ``ValueError`` for one whose
        weeks (past the weeks run) or level the run does not have.
        """
        table = outcomes(self.recorder)
        if defined:
            from simulator.custom_outcomes import Outcome, check, columns

            specs = {name: Outcome.model_validate(spec) for name, spec in defined.items()}
            ran = (self.week, f"the engine is at week {self.week}")
            past = (
                "the end of the run" if self.week >= self.params.steps else "the weeks run so far"
            )
            problems = check(specs, [], self.org.levels, horizon=ran, past=past)
            if problems:
                raise ValueError("; ".join(problems))
            for name, values in columns(self.recorder, specs).items():
                table[name] = values
        return table

    def poster_share(self, replication: int = 0) -> float:
        """Current share of posters."""
        return float((self.state.stage[replication] == POSTER).mean())

    def efficacy(self) -> np.ndarray:
        """Current efficacy (explicit and tacit know-how combined), shape ``(R, n)``."""
        return efficacy(self.state, self.params.learning.explicit_weight)


__all__ = ["Engine"]
