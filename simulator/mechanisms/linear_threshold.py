"""Linear threshold with weights (Kempe, Kleinberg and Tardos 2003).

Each person draws a threshold uniformly from [0, 1] once; they adopt when the summed
influence weights of the adopters they observe reach it (``>=``). Weights per person sum to
one: ``uniform`` gives each observed account ``1 / (number observed)``; ``attention`` uses the
social-learning attention weights (tie type and prestige). Adoption is permanent.

Reference
---------
Kempe, D., Kleinberg, J. and Tardos, E. (2003). Maximizing the spread of influence through a
social network. *Proc. KDD '03*, 137-146.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import scipy.sparse as sp

from simulator.attention import spread
from simulator.mechanisms.base import Classic, Context, observed_total
from simulator.state import State


class LinearThreshold(Classic):
    name = "linear_threshold"
    slots = ()
    reference = "Kempe, Kleinberg and Tardos 2003"

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        if self.p.weights == "attention":
            self.weights = ctx.attention.matrix()
        else:
            total = observed_total(ctx)
            inv = np.where(total > 0, 1 / np.where(total > 0, total, 1), 0.0)
            self.weights = sp.csr_matrix(sp.diags(inv) @ ctx.observe)

    def initialise(self, state: State, rngs: Sequence[np.random.Generator]) -> None:
        state.threshold = np.stack([rng.random(state.n) for rng in rngs])

    def adopt(self, state: State, adopted: np.ndarray, u: Mapping[str, np.ndarray]) -> np.ndarray:
        return np.asarray(spread(self.weights, adopted) >= state.threshold)
