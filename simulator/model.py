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

from collections.abc import Sequence

import mesa

from simulator.agents import Person
from simulator.engine import Engine
from simulator.orgchart import Org
from simulator.params import Params
from simulator.rng import SeedLike


class OrgModel(Engine, mesa.Model):
    """Social diffusion of active social-media use in one organisation: the
    :class:`~simulator.engine.Engine` as a Mesa model.

    Mesa keeps the time (``steps`` counts the weeks run, as ``week`` does) and, with
    ``agents``, one ``Person`` agent per person, a view on the engine's state. The numbers are
    the engine's, bit for bit.

    Parameters
    ----------
    params, rng, org, structure
        As for :class:`~simulator.engine.Engine`.
    agents : bool
        Create a Mesa ``Person`` agent per person (views on the state); switch off for speed.
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
    ) -> None:
        Engine.__init__(self, params, rng=rng, org=org, structure=structure)
        mesa.Model.__init__(self, rng=self.streams[0].generator("mesa"))
        self.people: list[Person] = [Person(self, i) for i in range(self.org.n)] if agents else []

    def step(self) -> None:
        """One week (as :meth:`Engine.step <simulator.engine.Engine.step>`). Mesa's
        ``running`` turns False at the horizon ``params.steps``, so that Mesa's
        ``run_model()`` (and Mesa's batch runner) stop there; ``step`` and ``run`` go on past
        it when asked."""
        super().step()
        self.running = self.week < self.params.steps


__all__ = ["OrgModel"]
