"""The weekly record's figures, compiled: shares of people by stage, overall and by level,
the summed audience of posters (reach) and the mean comfort, per replication.

Sums run over chunks of ``TALLY_CHUNK`` people in order, so the figures are the same on any
number of threads and in any batch. :class:`simulator.metrics.Recorder` calls :func:`tally`
after each step; a compiled step that runs several weeks at once calls :func:`tally_serial`
(:func:`simulator.mechanisms.sl_kernel.step`).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from simulator.state import FIRST, POSTER

TALLY_CHUNK = 4096
"""People summed together by :func:`chunk_tallies`: a record's sums add the chunks' in
order, so they are the same on any number of threads."""


@njit(cache=True)
def chunk_tallies(
    stage: np.ndarray,
    comfort: np.ndarray,
    level: np.ndarray,
    audience: np.ndarray,
    first: int,
    last: int,
    counts: np.ndarray,
    sums: np.ndarray,
) -> None:
    """For chunks ``first .. last - 1`` of one replication's people (``TALLY_CHUNK`` each):
    ``counts[c, level, stage]``, and in ``sums[c]`` the summed audience of posters and
    comfort, over the chunk's people in order."""
    n, L = len(stage), counts.shape[1]
    # whole-number counts by level and stage, in four tables taken in turn: a count is not
    # read right after it was written (neighbours often share a level)
    local = np.zeros((4, L, 3), dtype=np.int64)
    for c in range(first, last):
        local[:] = 0
        reach = total = 0.0
        for i in range(c * TALLY_CHUNK, min(n, (c + 1) * TALLY_CHUNK)):
            s = stage[i]
            local[i & 3, level[i], s] += 1
            reach += audience[i] if s == POSTER else 0.0  # adding 0 changes nothing
            total += comfort[i]
        for lv in range(L):  # (loops: numba compiles the arrays' sum for longer)
            for st in range(3):
                counts[c, lv, st] = (
                    local[0, lv, st] + local[1, lv, st] + local[2, lv, st] + local[3, lv, st]
                )
        sums[c, 0], sums[c, 1] = reach, total


@njit(cache=True, parallel=True)
def chunk_tallies_split(
    stage: np.ndarray,
    comfort: np.ndarray,
    level: np.ndarray,
    audience: np.ndarray,
    parts: int,
    counts: np.ndarray,
    sums: np.ndarray,
) -> None:
    """:func:`chunk_tallies` of every chunk, ``parts`` runs of chunks side by side."""
    chunks = len(counts)
    for k in prange(parts):
        first, last = chunks * k // parts, chunks * (k + 1) // parts
        chunk_tallies(stage, comfort, level, audience, first, last, counts, sums)


@njit(cache=True, error_model="numpy")  # an empty level's shares are NaN, as numpy's
def tally_of(
    counts: np.ndarray,
    sums: np.ndarray,
    level_size: np.ndarray,
    stages: np.ndarray,
    levels: np.ndarray,
    out: np.ndarray,
) -> None:
    """One replication's figures from its chunks' tallies: the shares by stage (``stages``,
    ``(3,)``) and by level and stage (``levels``, ``(L, 3)``), and in ``out`` the summed
    audience of posters and the mean comfort (the chunks' sums added in order)."""
    L, n = levels.shape[0], level_size.sum()
    reach = total = 0.0
    for c in range(len(counts)):
        reach += sums[c, 0]
        total += sums[c, 1]
    out[0], out[1] = reach, total / n
    for s in range(3):
        people = 0
        for lv in range(L):
            at = 0
            for c in range(len(counts)):
                at += counts[c, lv, s]
            levels[lv, s] = at / level_size[lv]
            people += at
        stages[s] = people / n


def tally(
    stage: np.ndarray,
    comfort: np.ndarray,
    level: np.ndarray,
    audience: np.ndarray,
    level_size: np.ndarray,
    parts: int,
    stages: np.ndarray,
    levels: np.ndarray,
    out: np.ndarray,
) -> None:
    """Per replication (``stage`` and ``comfort`` are ``(R, n)``): the shares of people by
    stage, overall (``stages``, ``(R, 3)``) and by level (``levels``, ``(R, L, 3)``), and in
    ``out[r]`` the summed audience of posters and the mean comfort. Sums run over chunks of
    people in order, the chunks in ``parts`` runs side by side (one: on this thread,
    :func:`tally_serial`), so a replication's figures depend neither on the batch it ran in
    nor on the threads. Not compiled itself: the parallel code
    (:func:`chunk_tallies_split`) is compiled only where a run asks for it, so a first run
    of a small organisation does not wait for it."""
    if parts <= 1:
        tally_serial(stage, comfort, level, audience, level_size, stages, levels, out)
        return
    chunks = -(-stage.shape[1] // TALLY_CHUNK)
    counts = np.zeros((chunks, levels.shape[1], 3), dtype=np.int64)
    sums = np.zeros((chunks, 2))
    for r in range(stage.shape[0]):  # (a large organisation's few replications)
        chunk_tallies_split(stage[r], comfort[r], level, audience, parts, counts, sums)
        tally_of(counts, sums, level_size, stages[r], levels[r], out[r])


@njit(cache=True)
def tally_serial(
    stage: np.ndarray,
    comfort: np.ndarray,
    level: np.ndarray,
    audience: np.ndarray,
    level_size: np.ndarray,
    stages: np.ndarray,
    levels: np.ndarray,
    out: np.ndarray,
) -> None:
    """:func:`tally` on this thread (no parallel code: what a compiled step calls to record
    the weeks it runs)."""
    chunks = -(-stage.shape[1] // TALLY_CHUNK)
    counts = np.zeros((chunks, levels.shape[1], 3), dtype=np.int64)
    sums = np.zeros((chunks, 2))
    for r in range(stage.shape[0]):
        chunk_tallies(stage[r], comfort[r], level, audience, FIRST, chunks, counts, sums)
        tally_of(counts, sums, level_size, stages[r], levels[r], out[r])
