"""Seeds: one root seed per run, named child streams, named draw slots.

A run's root :class:`numpy.random.SeedSequence` has fixed, named children: ``org`` (network
generation), ``people`` (individual traits and the initial state), ``assignment`` (who
becomes a delegate), ``dynamics`` (the steps) and ``mesa`` (handed to
:class:`mesa.Model`). A child is addressed by its name, never by how many were spawned before,
so any run can be rebuilt alone and two arms of a comparison that share a root seed share
every stream (common random numbers).

A number given as a seed means one of two things. To a run (``OrgModel(params, rng=S)``,
``Engine(params, rng=S)``) it is that run's own root. To a scenario, a command or the
workshop (``[scenario] seed``, ``orgsim run/compare --seed S``, the page's seed) it is the
root of a set of runs: the run at design point ``p`` and replication ``r`` has the root
:func:`run_seed` ``(S, p, r)``. The commands' replications are those of design point 0
(:func:`replication_seeds`), so the ``scenario.toml`` they write sweeps into their own runs,
and the workshop's pair at seed ``S`` is replication 0 of that point.

This module needs numpy only, so that reading a scenario or starting the command line does
not load the compiled draws of :mod:`simulator.rng`, which re-exports all of it.

Examples
--------
>>> a, b = RunStreams(7), RunStreams(7)
>>> bool(a.generator("org").random() == b.generator("org").random())
True
>>> run_seed(7, 0, 1).spawn_key, replication_seeds(7, 2)[1].spawn_key
((0, 1), (0, 1))
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


def run_seed(
    root: int | np.random.SeedSequence, point: int, replication: int
) -> np.random.SeedSequence:
    """The root seed of the run at design point ``point`` and replication ``replication`` of
    a set of runs with root seed ``root``: the child ``(point, replication)`` of ``root``.

    A sweep's runs (:meth:`simulator.plan.Plan.seed`), ``orgsim run`` and ``orgsim compare``
    (design point 0, :func:`replication_seeds`) and the workshop's pair (replication 0 of
    point 0) are seeded by it, so the same root seed gives the same runs in all of them. Every
    arm of a point and replication has this seed (common random numbers).

    >>> s = run_seed(5, 0, 2)
    >>> s.entropy, s.spawn_key
    (5, (0, 2))
    """
    return child(child(as_seed_sequence(root), point), replication)


def replication_seeds(seed: int, replications: int) -> list[np.random.SeedSequence]:
    """Root seeds of replications ``0 .. replications-1`` of design point 0 of root ``seed``:
    the runs of ``orgsim run --seed seed --reps replications`` (and ``compare``'s, every arm).

    Replication ``r`` is :func:`run_seed` ``(seed, 0, r)``, as a sweep of the one-point
    scenario the command writes seeds it (:meth:`simulator.plan.Plan.seed`), so that sweep
    gives the command's runs, bit for bit; each can be rebuilt alone from ``(seed, r)``,
    whatever the number of replications. (Until 2026-12-07 it was the child ``r`` of
    ``seed`` itself, so a command's runs were not its sweep's.)
    """
    root = as_seed_sequence(seed)
    return [run_seed(root, 0, r) for r in range(replications)]
