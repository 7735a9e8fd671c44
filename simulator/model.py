"""The Mesa model: the engine (:mod:`simulator.engine`) with a Mesa face.

Examples
--------
>>> from simulator import OrgModel, Params
>>> model = OrgModel(Params().with_updates({"org.size": 200, "steps": 10}), rng=1)
>>> model.run().steps
10
>>> round(float(model.series()["poster"].iloc[-1]), 3) == round(model.poster_share(), 3)
True
"""

from __future__ import annotations

import functools
import os
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import mesa
from mesa.agentset import AgentSet

from simulator.agents import Person
from simulator.engine import Engine
from simulator.orgchart import Org
from simulator.params import Params
from simulator.rng import SeedLike
from simulator.state import STAGES

if TYPE_CHECKING:
    from simulator.orgimport import Chart

NO_AGENTS = (
    "this model was built with agents=False (faster), so it has no Person agents: build it"
    " with agents=True to look at people"
)


class OrgModel(Engine, mesa.Model):
    """Social diffusion of active social-media use in one organisation: the
    :class:`~simulator.engine.Engine` as a Mesa model.

    Mesa keeps the time (``steps`` counts the weeks run, as ``week`` does) and, with
    ``agents``, one ``Person`` agent per person, a view on the engine's state (its
    ``unique_id`` is the person's index, as in the state arrays). The numbers are the
    engine's, bit for bit. ``datacollector``, a Mesa ``DataCollector``, collects the stage
    shares of replication 0 each week (``model.datacollector.get_model_vars_dataframe()``,
    one row a week from week 0; ``series()`` has every measure and replication).

    People are stepped together, synchronously, by ``model.step()``: ``Person.step`` (as in
    ``model.agents.shuffle_do("step")``) and ``Person.remove`` are refused with a message.

    Parameters
    ----------
    params, rng, org, structure, chart
        As for :class:`~simulator.engine.Engine`.
    agents : bool
        Create a Mesa ``Person`` agent per person (views on the state); switch off for speed.
    **updates
        Parameters by their dotted paths, over ``params`` (or the defaults):
        ``OrgModel(**{"culture.openness": 0.8}, rng=1)``, as Mesa's ``batch_run`` passes
        ``parameters={"culture.openness": [0.2, 0.8]}``, its columns then named so. A bad
        path or value is refused as ``params.with_updates`` refuses it.
    """

    weeks_at_once = False  # each week goes through Mesa's step (its time, its events)

    def __init__(
        self,
        params: Params | None = None,
        *,
        rng: SeedLike | Sequence[SeedLike] = None,
        org: Org | None = None,
        structure: SeedLike = None,
        agents: bool = True,
        chart: Chart | str | os.PathLike[str] | None = None,
        **updates: Any,
    ) -> None:
        if "seed" in updates:  # (Mesa 2's name; Mesa 3 and batch_run pass rng)
            raise TypeError(
                f"OrgModel(seed={updates['seed']!r}): the seed is rng= (OrgModel(rng="
                f"{updates['seed']!r})), as in Mesa 3; mesa.batch_run passes it as rng too"
            )
        if updates:  # dotted parameter paths as keywords, as Mesa's batch_run passes them
            params = (params if params is not None else Params()).with_updates(updates)
        Engine.__init__(self, params, rng=rng, org=org, structure=structure, chart=chart)
        mesa.Model.__init__(self, rng=self.streams[0].generator("mesa"))
        self._people: list[Person] = [Person(self, i) for i in range(self.org.n)] if agents else []
        self.datacollector = mesa.DataCollector(
            model_reporters={
                name: functools.partial(_share, stage=k) for k, name in enumerate(STAGES)
            }
        )
        self.datacollector.collect(self)

    @property
    def agents(self) -> AgentSet:
        """Mesa's set of agents, the people (empty, with a warning, for a model built with
        ``agents=False``: a student's ``model.agents.get("stage")`` gave ``[]``)."""
        people = getattr(self, "_people", None)  # (not yet while Mesa sets the model up)
        if people is not None and not people and self.org.n:
            warnings.warn(NO_AGENTS, UserWarning, stacklevel=2)
        return super().agents

    @agents.setter
    def agents(self, agents: Any) -> None:
        mesa.Model.agents.fset(self, agents)  # (Mesa refuses)

    @property
    def people(self) -> list[Person]:
        """The ``Person`` agents, one per person in the organisation's order (empty, with a
        warning, for a model built with ``agents=False``)."""
        if not self._people and self.org.n:
            warnings.warn(NO_AGENTS, UserWarning, stacklevel=2)
        return self._people

    def step(self) -> None:
        """One week (as :meth:`Engine.step <simulator.engine.Engine.step>`). Mesa's
        ``running`` turns False at the horizon ``params.steps``, so that Mesa's
        ``run_model()`` (and Mesa's batch runner) stop there; ``step`` and ``run`` go on past
        it when asked."""
        super().step()
        self.running = self.week < self.params.steps
        self.datacollector.collect(self)


def _share(model: OrgModel, stage: int) -> float:
    """The share of replication 0's people at ``stage`` this week."""
    return float((model.state.stage[0] == stage).mean())


__all__ = ["OrgModel"]
