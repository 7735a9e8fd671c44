"""Independent cascade (Kempe, Kleinberg and Tardos 2003).

Each new adopter gets one chance, in the step after they adopt, to activate each person who
observes them, succeeding with probability ``p``. A person with ``k`` fresh adopters in view
therefore adopts with probability ``1 - (1 - p)**k`` (the same law as ``k`` separate trials,
drawn as one uniform per person). Adoption is permanent.

Reference
---------
Kempe, D., Kleinberg, J. and Tardos, E. (2003). Maximizing the spread of influence through a
social network. *Proc. KDD '03*, 137-146.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from simulator.mechanisms.base import Classic, observed_count
from simulator.state import State


class IndependentCascade(Classic):
    name = "independent_cascade"
    reference = "Kempe, Kleinberg and Tardos 2003"

    def initialise(self, state: State, rngs: Sequence[np.random.Generator]) -> None:
        state.extra["tried"] = np.zeros(state.stage.shape, dtype=bool)

    def adopt(self, state: State, adopted: np.ndarray, u: Mapping[str, np.ndarray]) -> np.ndarray:
        fresh = adopted & ~state.extra["tried"]
        state.extra["tried"] = state.extra["tried"] | fresh
        k = observed_count(self.ctx, fresh)
        return np.asarray(u["exposure"] < 1 - (1 - self.p.p) ** k)
