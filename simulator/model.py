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
        A given organisation (e.g. an imported org chart); otherwise one is generated from
        ``params.org`` on the ``org`` stream of ``structure`` (default: the first seed).
    structure : int, SeedSequence or Generator, optional
        Seed of the organisation and the strategy assignment (its ``org`` and ``assignment``
        streams) instead of the first run seed's: runs given the same ``structure`` share the
        organisation and delegates, so they can run as one batch and each equals its own
        single run with that ``structure``.
    agents : bool
        Create a Mesa ``Person`` agent per person (views on the state); switch off for speed.
    """

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

    def run(self, steps: int | None = None) -> OrgModel:
        """Run ``steps`` more steps (default: the horizon ``params.steps``) through Mesa's
        clock."""
        Engine.run(self, steps)
        return self


__all__ = ["OrgModel"]
