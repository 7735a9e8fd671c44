"""Random streams: one root seed per run, named child streams, named draw slots.

The seeds (the run's root seed, its named child streams ``org``, ``people``,
``assignment``, ``dynamics`` and ``mesa``, the draw slots) are :mod:`simulator.seeds`,
re-exported here; this module adds the draws, compiled with numba.

The dynamics stream gives each replication a key for a counter-based generator
(Philox4x32-10): the uniform number of person ``i`` at step ``t`` for purpose ``s`` (a *draw
slot*: ``exposure``, ``decision``, ...) is a pure function of ``(key, i, t, s)``. A purpose
therefore sees the same numbers whichever mechanism, strategy or arm consumes the other slots,
whoever else needed a number, and whatever the batch; this is what lets the tests compare
mechanisms seed by seed, a per-agent oracle replay a step, and a fused kernel draw only where
a number is needed.

Examples
--------
>>> a, b = RunStreams(7), RunStreams(7)
>>> bool(a.generator("org").random() == b.generator("org").random())
True
>>> Draws([RunStreams(7).seed("dynamics")]).uniform("exposure", 3).shape
(1, 3)
>>> d = Draws([RunStreams(7).seed("dynamics")])
>>> bool(d.uniform("decision", 5, t=2)[0, 4] == d.uniform("decision", 9, t=2)[0, 4])
True
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

import numpy as np
from numba import njit

from simulator.seeds import (
    SLOTS,
    STREAMS,
    RunStreams,
    SeedLike,
    as_seed_sequence,
    child,
    dynamics_key,
    replication_seeds,
    run_seed,
)

__all__ = [
    "SLOTS",
    "STREAMS",
    "Draws",
    "RunStreams",
    "SeedLike",
    "StepDraws",
    "as_seed_sequence",
    "child",
    "dynamics_key",
    "philox4x32",
    "replication_seeds",
    "run_seed",
    "uniform_at",
    "uniform_at2",
]


_MASK = np.uint64(0xFFFFFFFF)
_M0, _M1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
_W0, _W1 = np.uint64(0x9E3779B9), np.uint64(0xBB67AE85)
_SHIFT = np.uint64(32)


@njit(cache=True, inline="always")
def _round(
    c0: np.uint64, c1: np.uint64, c2: np.uint64, c3: np.uint64, k0: np.uint64, k1: np.uint64
) -> tuple[np.uint64, np.uint64, np.uint64, np.uint64]:
    p0 = _M0 * c0
    p1 = _M1 * c2
    return (p1 >> _SHIFT) ^ c1 ^ k0, p1 & _MASK, (p0 >> _SHIFT) ^ c3 ^ k1, p0 & _MASK


@njit(cache=True, inline="always")
def philox4x32(
    c0: np.uint64, c1: np.uint64, c2: np.uint64, c3: np.uint64, k0: np.uint64, k1: np.uint64
) -> tuple[np.uint64, np.uint64, np.uint64, np.uint64]:
    """Philox4x32-10 (Salmon et al. 2011): four 32-bit counter words, two key words.

    Words are passed and returned in ``uint64`` holding 32-bit values. The ten rounds are
    written out so that the compiler can keep them in registers (and vectorise loops over
    counters). Checked against the Random123 known-answer vectors in the tests.
    """
    c0, c1, c2, c3 = _round(c0, c1, c2, c3, k0, k1)
    k0, k1 = (k0 + _W0) & _MASK, (k1 + _W1) & _MASK
    c0, c1, c2, c3 = _round(c0, c1, c2, c3, k0, k1)
    k0, k1 = (k0 + _W0) & _MASK, (k1 + _W1) & _MASK
    c0, c1, c2, c3 = _round(c0, c1, c2, c3, k0, k1)
    k0, k1 = (k0 + _W0) & _MASK, (k1 + _W1) & _MASK
    c0, c1, c2, c3 = _round(c0, c1, c2, c3, k0, k1)
    k0, k1 = (k0 + _W0) & _MASK, (k1 + _W1) & _MASK
    c0, c1, c2, c3 = _round(c0, c1, c2, c3, k0, k1)
    k0, k1 = (k0 + _W0) & _MASK, (k1 + _W1) & _MASK
    c0, c1, c2, c3 = _round(c0, c1, c2, c3, k0, k1)
    k0, k1 = (k0 + _W0) & _MASK, (k1 + _W1) & _MASK
    c0, c1, c2, c3 = _round(c0, c1, c2, c3, k0, k1)
    k0, k1 = (k0 + _W0) & _MASK, (k1 + _W1) & _MASK
    c0, c1, c2, c3 = _round(c0, c1, c2, c3, k0, k1)
    k0, k1 = (k0 + _W0) & _MASK, (k1 + _W1) & _MASK
    c0, c1, c2, c3 = _round(c0, c1, c2, c3, k0, k1)
    k0, k1 = (k0 + _W0) & _MASK, (k1 + _W1) & _MASK
    return _round(c0, c1, c2, c3, k0, k1)


@njit(cache=True, inline="always")
def uniform_at2(k0: np.uint64, k1: np.uint64, slot: int, t: int, i: int) -> float:
    """The uniform number in [0, 1) of person ``i`` at step ``t`` in draw slot ``slot``.

    ``k0, k1`` are a replication's two 32-bit key words (as ``uint64``). The counter is
    ``(i, t, slot, 0)``; the first two output words make 64 bits, of which the top 53 become
    the double (as numpy turns 64 random bits into a double).
    """
    w0, w1, _, _ = philox4x32(np.uint64(i), np.uint64(t), np.uint64(slot), np.uint64(0), k0, k1)
    bits = (w1 << np.uint64(32)) | w0
    return float(bits >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True, inline="always")
def uniform_at(key: np.ndarray, slot: int, t: int, i: int) -> float:
    """:func:`uniform_at2` with the key words as one array (a row of ``Draws.philox_keys``)."""
    return uniform_at2(key[0], key[1], slot, t, i)


@njit(cache=True)
def _fill(keys: np.ndarray, slot: int, t: int, out: np.ndarray) -> None:
    for r in range(out.shape[0]):
        key = keys[r]
        for i in range(out.shape[1]):
            out[r, i] = uniform_at(key, slot, t, i)


class StepDraws(Mapping[str, np.ndarray]):
    """One step's draws: ``draws[slot]`` is the full ``(R, n)`` array (computed on first use).

    Fused kernels compute the same numbers only where they are needed, from
    ``philox_keys`` and ``t`` (:func:`uniform_at`), so both paths see identical numbers.
    """

    def __init__(self, keys: np.ndarray, t: int, slots: Sequence[str], n: int) -> None:
        self.philox_keys, self.t, self.slots, self.n = keys, t, tuple(slots), n
        self._cache: dict[str, np.ndarray] = {}

    def __getitem__(self, slot: str) -> np.ndarray:
        if slot not in self.slots:
            raise KeyError(slot)
        if slot not in self._cache:
            out = np.empty((len(self.philox_keys), self.n))
            _fill(self.philox_keys, SLOTS.index(slot), self.t, out)
            self._cache[slot] = out
        return self._cache[slot]

    def __iter__(self) -> Iterator[str]:
        return iter(self.slots)

    def __len__(self) -> int:
        return len(self.slots)


class Draws:
    """Counter-based uniform draws per slot, with a leading replication axis.

    The number of person ``i`` at step ``t`` in slot ``s`` is a pure function of the
    replication's ``dynamics`` key and ``(i, t, s)`` (Philox4x32-10, a counter-based
    generator: Salmon, Moraes, Dror and Shaw 2011). Nothing depends on what was drawn before,
    on the batch, or on who else needed a number, so a batch of replications equals the
    replications run one by one, and a kernel may draw only where a number is needed.

    Parameters
    ----------
    seeds : sequence of SeedSequence
        One ``dynamics`` seed per replication.
    """

    def __init__(self, seeds: Sequence[np.random.SeedSequence]) -> None:
        self.philox_keys = np.stack([dynamics_key(s) for s in seeds])

    def uniform(self, slot: str, n: int, t: int = 0) -> np.ndarray:
        """Uniform numbers in [0, 1), shape ``(replications, n)``, of slot ``slot`` at ``t``."""
        return StepDraws(self.philox_keys, t, (slot,), n)[slot]

    def step(self, slots: Sequence[str], n: int, t: int) -> StepDraws:
        """Step ``t``'s draws of the given slots (computed lazily, always of full shape)."""
        return StepDraws(self.philox_keys, t, slots, n)
