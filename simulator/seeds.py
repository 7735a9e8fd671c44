"""Seeds: one root seed per run, named child streams, named draw slots.

A run's root :class:`numpy.random.SeedSequence` has fixed, named children: ``org`` (network
generation), ``people`` (individual traits and the initial state), ``assignment`` (who
becomes a delegate), ``dynamics`` (the steps) and ``mesa`` (handed to
:class:`mesa.Model`). A child is addressed by its name, never by how many were spawned before,
so any run can be rebuilt alone and two arms of a comparison that share a root seed share
every stream (common random numbers).

This module needs numpy only, so that reading a scenario or starting the command line does
not load the compiled draws of :mod:`simulator.rng`, which re-exports all of it.

Examples
--------
>>> a, b = RunStreams(7), RunStreams(7)
>>> bool(a.generator("org").random() == b.generator("org").random())
True
>>> replication_seeds(7, 2)[1].spawn_key
(1,)
"""

from __future__ import annotations

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
    whole = isinstance(seed, int | np.integer) and not isinstance(seed, bool)
    whole = whole or (isinstance(seed, float | np.floating) and float(seed).is_integer())
    if seed is not None and not (whole and seed >= 0):
        raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
    return np.random.SeedSequence(None if seed is None else int(seed))


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


def dynamics_key(seed: np.random.SeedSequence) -> np.ndarray:
    """The two 32-bit Philox key words of a replication's ``dynamics`` stream."""
    return seed.generate_state(2, np.uint32).astype(np.uint64)


def replication_seeds(seed: int, replications: int) -> list[np.random.SeedSequence]:
    """Root seeds of replications ``0 .. replications-1`` of a run with root ``seed``.

    Replication ``r`` is the ``r``-th named child of ``SeedSequence(seed)``, so it can be
    rebuilt alone from ``(seed, r)``, whatever the number of replications.
    """
    root = as_seed_sequence(seed)
    return [child(root, r) for r in range(replications)]
