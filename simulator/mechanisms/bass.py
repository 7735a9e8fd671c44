"""Bass diffusion on a network (Bass 1969; Fibich and Gibori 2010).

Each step a non-adopter who observes ``k`` accounts, ``m`` of them adopters, adopts with
probability ``1 - (1 - p) * (1 - q / k)**m``: external influence ``p`` (broadcast, policy,
comms) and internal influence ``q`` shared among the observed accounts. With ``q = 0`` the
share adopted after ``t`` steps is ``1 - (1 - p)**t`` on any network. Adoption is permanent.

References
----------
Bass, F. M. (1969). A new product growth for model consumer durables. *Management Science*
15(5), 215-227.
Fibich, G. and Gibori, R. (2010). Aggregate diffusion dynamics in agent-based models with a
spatial structure. *Operations Research* 58(5), 1450-1468.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from simulator.mechanisms.base import Classic, observed_count, observed_total
from simulator.state import State


class Bass(Classic):
    name = "bass"
    reference = "Bass 1969; Fibich and Gibori 2010"

    def adopt(self, state: State, adopted: np.ndarray, u: Mapping[str, np.ndarray]) -> np.ndarray:
        k = observed_total(self.ctx)
        m = observed_count(self.ctx, adopted)
        per = np.where(k > 0, self.p.q / np.where(k > 0, k, 1), 0.0)
        p_adopt = 1 - (1 - self.p.p) * (1 - per) ** m
        return np.asarray(u["exposure"] < p_adopt)
