"""Random streams: one root seed per run, named child streams, named draw slots.

A run's root :class:`numpy.random.SeedSequence` has fixed, named children: ``org`` (network
generation), ``people`` (individual traits and the initial state), ``assignment`` (who
becomes a delegate), ``dynamics`` (the steps) and ``mesa`` (handed to
:class:`mesa.Model`). A child is addressed by its name, never by how many were spawned before,
so any run can be rebuilt alone and two arms of a comparison that share a root seed share
every stream (common random numbers).

The dynamics stream is split again into *draw slots*, one per purpose (``exposure``,
``decision``, ...). Each mechanism draws, every step, one uniform array of the population's
shape from each slot it uses, whoever is eligible. A purpose therefore sees the same numbers
whichever mechanism, strategy or arm consumes the other slots; this is what lets the tests
compare mechanisms seed by seed and a per-agent oracle replay a vectorised step.

Examples
--------
>>> a, b = RunStreams(7), RunStreams(7)
>>> bool(a.generator("org").random() == b.generator("org").random())
True
>>> Draws([RunStreams(7).seed("dynamics")]).uniform("exposure", 3).shape
(1, 3)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

STREAMS: tuple[str, ...] = ("org", "people", "assignment", "dynamics", "mesa")
SLOTS: tuple[str, ...] = (
    "exposure",  # awareness / contagion / activation
    "decision",  # posting (adoption) decisions
    "lapse",  # lapse and abandonment
    "posting",  # how many posts a poster makes
    "engagement",  # positive responses to posts
    "criticism",  # criticism of posts
    "pullback",  # pulling back after criticism
    "memo",  # awareness from a guideline memo
)

SeedLike = int | np.random.SeedSequence | np.random.Generator | None


def child(parent: np.random.SeedSequence, index: int) -> np.random.SeedSequence:
    """The ``index``-th child of ``parent``, independent of how many were spawned before."""
    return np.random.SeedSequence(
        entropy=parent.entropy,
        spawn_key=(*parent.spawn_key, index),
        pool_size=parent.pool_size,
    )


def as_seed_sequence(seed: SeedLike) -> np.random.SeedSequence:
    """Turn an int, a SeedSequence, a Generator (SPEC 7) or None into a SeedSequence.

    ``None`` draws fresh entropy from the operating system; read it back from
    ``.entropy`` to rebuild the run.
    """
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, np.random.Generator):
        return np.random.SeedSequence(seed.integers(0, 2**63, size=4).tolist())
    if seed is not None and (isinstance(seed, bool) or int(seed) != seed or seed < 0):
        raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
    return np.random.SeedSequence(seed)


class RunStreams:
    """The named random streams of one run."""

    def __init__(self, seed: SeedLike) -> None:
        self.root = as_seed_sequence(seed)

    def seed(self, name: str) -> np.random.SeedSequence:
        """The child SeedSequence named ``name`` (one of :data:`STREAMS`)."""
        return child(self.root, STREAMS.index(name))

    def generator(self, name: str) -> np.random.Generator:
        """A fresh Generator on the named stream (same numbers on every call)."""
        return np.random.default_rng(self.seed(name))


class Draws:
    """Uniform draws per slot, with a leading replication axis.

    Parameters
    ----------
    seeds : sequence of SeedSequence
        One ``dynamics`` seed per replication; row ``r`` of every draw comes from seed ``r``
        alone, so a batch of replications equals the replications run one by one.
    """

    def __init__(self, seeds: Sequence[np.random.SeedSequence]) -> None:
        self._gens = {
            slot: [np.random.default_rng(child(s, k)) for s in seeds]
            for k, slot in enumerate(SLOTS)
        }

    def uniform(self, slot: str, n: int) -> np.ndarray:
        """Uniform numbers in [0, 1), shape ``(replications, n)``, from slot ``slot``."""
        return np.stack([g.random(n) for g in self._gens[slot]])

    def step(self, slots: Sequence[str], n: int) -> dict[str, np.ndarray]:
        """One step's draws: one array per slot used, always of the full shape."""
        return {slot: self.uniform(slot, n) for slot in slots}


def replication_seeds(seed: int, replications: int) -> list[np.random.SeedSequence]:
    """Root seeds of replications ``0 .. replications-1`` of a run with root ``seed``.

    Replication ``r`` is the ``r``-th named child of ``SeedSequence(seed)``, so it can be
    rebuilt alone from ``(seed, r)``, whatever the number of replications.
    """
    root = as_seed_sequence(seed)
    return [child(root, r) for r in range(replications)]
