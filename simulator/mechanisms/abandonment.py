"""Adoption with abandonment: an SIR-like diffusion with discontinuance.

Each step a person who never adopted and observes ``m`` adopters adopts with probability
``1 - (1 - p) * (1 - beta)**m``; each adopter abandons with probability ``delta`` and becomes a
listener for good (recovered: never adopts again). Both transitions read the previous step.
With ``p = 0`` this is the discrete-time network SIR model.

References
----------
Kermack, W. O. and McKendrick, A. G. (1927). A contribution to the mathematical theory of
epidemics. *Proc. R. Soc. Lond. A* 115, 700-721.
Rogers, E. M. (2003). *Diffusion of Innovations*, 5th ed., Free Press (discontinuance).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from simulator.mechanisms.base import Classic, observed_count
from simulator.state import State


class Abandonment(Classic):
    name = "abandonment"
    slots = ("exposure", "lapse")
    reference = "Kermack and McKendrick 1927; Rogers 2003"

    def initialise(self, state: State, rngs: Sequence[np.random.Generator]) -> None:
        state.extra["abandoned"] = np.zeros(state.stage.shape, dtype=bool)

    def adopt(self, state: State, adopted: np.ndarray, u: Mapping[str, np.ndarray]) -> np.ndarray:
        m = observed_count(self.ctx, adopted)
        p_adopt = 1 - (1 - self.p.p) * (1 - self.p.beta) ** m
        return np.asarray(~state.extra["abandoned"] & (u["exposure"] < p_adopt))

    def abandon(
        self, state: State, adopters: np.ndarray, u: Mapping[str, np.ndarray]
    ) -> np.ndarray:
        gone = adopters & (u["lapse"] < self.p.delta)
        state.extra["abandoned"] = state.extra["abandoned"] | gone
        return np.asarray(gone)
