"""Threshold rules: fractional (Granovetter 1978; Watts 2002) and absolute.

Fractional: a person adopts when the share of the accounts they observe that have adopted is
at least their threshold ``phi`` (``>=``: adoption at equality). Absolute: when the number of
adopters they observe is at least ``k``. Thresholds live in ``state.threshold`` and can be set
per person (Granovetter's riot). Deterministic; adoption is permanent. A person who observes
nobody has share 0.

References
----------
Granovetter, M. (1978). Threshold models of collective behavior. *American Journal of
Sociology* 83(6), 1420-1443.
Watts, D. J. (2002). A simple model of global cascades on random networks. *PNAS* 99(9),
5766-5771.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from simulator.mechanisms.base import Classic, observed_count, observed_total
from simulator.state import State


class Threshold(Classic):
    name = "threshold"
    slots = ()
    reference = "Granovetter 1978; Watts 2002"

    def initialise(self, state: State, rngs: Sequence[np.random.Generator]) -> None:
        if self.p.rule == "absolute":
            state.threshold = np.full(state.stage.shape, float(self.p.k))
            return
        rows = [
            np.clip(self.p.phi + self.p.phi_sd * rng.standard_normal(state.n), 0, 1)
            if self.p.phi_sd > 0
            else np.full(state.n, self.p.phi)
            for rng in rngs
        ]
        state.threshold = np.stack(rows)

    def adopt(self, state: State, adopted: np.ndarray, u: Mapping[str, np.ndarray]) -> np.ndarray:
        count = observed_count(self.ctx, adopted)
        if self.p.rule == "absolute":
            return np.asarray(count >= state.threshold)
        total = observed_total(self.ctx)
        share = np.where(total > 0, count / np.where(total > 0, total, 1), 0.0)
        return np.asarray(share >= state.threshold)
