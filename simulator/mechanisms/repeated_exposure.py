"""SI repeated-exposure simple contagion.

Each step a non-adopter who observes ``m`` adopters adopts with probability
``1 - (1 - beta)**m``; adoption is permanent (susceptible-infected).

Reference
---------
Anderson, R. M. and May, R. M. (1991). *Infectious Diseases of Humans*. Oxford University
Press; on networks: Pastor-Satorras, R., Castellano, C., Van Mieghem, P. and Vespignani, A.
(2015). Epidemic processes in complex networks. *Reviews of Modern Physics* 87, 925-979.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from simulator.mechanisms.base import Classic, observed_count
from simulator.state import State


class RepeatedExposure(Classic):
    name = "si"
    reference = "Anderson and May 1991; Pastor-Satorras et al. 2015"

    def adopt(self, state: State, adopted: np.ndarray, u: Mapping[str, np.ndarray]) -> np.ndarray:
        m = observed_count(self.ctx, adopted)
        return np.asarray(u["exposure"] < 1 - (1 - self.p.beta) ** m)
