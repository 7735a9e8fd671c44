"""What is measured: a per-step record and per-run outcomes (pure functions of the record).

Per step (row 0 is the initial state): shares of non-users, listeners and posters, overall
and by level; posts, engagement and criticism events, lapses, pull-backs, people made aware,
adoptions by source, cross-unit observations, reach and mean comfort. Per run: see
:func:`outcomes`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numba
import numpy as np
from numba import njit, prange

from simulator.mechanisms.base import Context, Events
from simulator.mechanisms.social_learning import split
from simulator.state import POSTER, SOURCES, STAGES, State
from simulator.strategies import NONE

if TYPE_CHECKING:  # pandas is imported when a table is made, not by the engine
    import pandas as pd

EVENT_COLUMNS = Events.NAMES
MILESTONES = (0.1, 0.5, 0.9)


@dataclass
class Recorder:
    """Collects one row per step, for every replication."""

    ctx: Context
    rows: dict[str, list[np.ndarray]] = field(default_factory=dict)
    _stacked: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        org = self.ctx.org
        self.level_size = np.bincount(org.level, minlength=org.levels)
        self.audience = np.asarray(org.audience, dtype=float)
        # an outcome fixed by the organisation: worked out while it is built (its working
        # array then adds nothing to a large run's peak memory)
        self.leader_attention = leader_attention(self.ctx)

    def record(self, state: State, events: Events | None = None) -> None:
        """Append the state after a step (and that step's events; none for the start)."""
        events = events or Events(state.replications)
        R, L = state.replications, len(self.level_size)
        stages, levels = np.empty((R, 3)), np.empty((R, L, 3))  # filled in compiled passes
        figures = np.empty((R, 2))  # reach, mean comfort
        parts = numba.get_num_threads() if split(state.n) else 1  # the same sums either way
        _tally(
            state.stage, state.comfort, self.ctx.org.level, self.audience, self.level_size,
            parts, stages, levels, figures,
        )  # fmt: skip
        reach, comfort = figures[:, 0].copy(), figures[:, 1].copy()
        row: dict[str, np.ndarray] = {"stages": stages, "levels": levels}
        for name in EVENT_COLUMNS:
            row[name] = events.counts[name]
        row["adoptions"] = events.counts["adoptions"]
        row["reach"] = reach
        row["comfort"] = comfort
        for key, value in row.items():
            self.rows.setdefault(key, []).append(value)
        self._stacked.clear()

    def series(self, key: str) -> np.ndarray:
        """The recorded series ``key`` stacked as ``(steps + 1, R, ...)`` (read-only: stacked
        once until the next record)."""
        if key not in self._stacked:
            stacked = np.stack(self.rows[key])
            stacked.flags.writeable = False
            self._stacked[key] = stacked
        return self._stacked[key]

    def columns(self) -> dict[str, np.ndarray]:
        """The per-step columns of :meth:`frame` (all but ``step`` and ``replication``), each
        shaped ``(steps + 1, R)``."""
        stages = self.series("stages")
        data = {name: stages[:, :, s] for s, name in enumerate(STAGES)}
        for name in (*EVENT_COLUMNS, "reach", "comfort"):
            data[name] = self.series(name)
        adoptions = self.series("adoptions")
        for s, name in enumerate(SOURCES):
            data[f"adopted_{name}"] = adoptions[:, :, s]
        return data

    def frame(self) -> pd.DataFrame:
        """Tidy per-step table: one row per step and replication."""
        import pandas as pd

        columns = self.columns()
        T, R = columns[STAGES[0]].shape
        data = {"step": np.repeat(np.arange(T), R), "replication": np.tile(np.arange(R), T)}
        data.update((name, value.ravel()) for name, value in columns.items())
        return pd.DataFrame(data)

    def run_columns(self, steps: np.ndarray, names: Sequence[str]) -> list[dict[str, np.ndarray]]:
        """Per replication, the columns ``step`` and ``names`` of :meth:`frame` at ``steps``
        (sliced straight from the recorded arrays: no table to build and split)."""
        columns = self.columns()
        R = columns[STAGES[0]].shape[1]
        return [
            {"step": steps, **{name: columns[name][steps, r] for name in names}} for r in range(R)
        ]

    def level_frame(self) -> pd.DataFrame:
        """Tidy per-step, per-level table of stage shares."""
        import pandas as pd

        levels = self.series("levels")  # (T, R, L, 3)
        T, R, L, _ = levels.shape
        index = np.indices((T, R, L)).reshape(3, -1)
        data = {
            "step": index[0],
            "replication": index[1],
            "level": index[2],
            "people": self.level_size[index[2]],
        }
        for s, name in enumerate(STAGES):
            data[name] = levels[..., s].ravel()
        return pd.DataFrame(data)

    def run_level_columns(self, steps: np.ndarray) -> list[dict[str, np.ndarray]]:
        """Per replication, the columns of :meth:`level_frame` (but ``replication``) at
        ``steps``."""
        levels = self.series("levels")[steps]  # (K, R, L, 3)
        K, R, L, _ = levels.shape
        level = np.tile(np.arange(L), K)
        keys = {"step": np.repeat(steps, L), "level": level, "people": self.level_size[level]}
        return [
            {**keys, **{name: levels[:, r, :, s].ravel() for s, name in enumerate(STAGES)}}
            for r in range(R)
        ]


TALLY_CHUNK = 4096
"""People summed together by :func:`_chunk_tallies`: a record's sums add the chunks' in
order, so they are the same on any number of threads."""


@njit(cache=True)
def _chunk_tallies(
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
        counts[c] = local[0] + local[1] + local[2] + local[3]
        sums[c, 0], sums[c, 1] = reach, total


@njit(cache=True, parallel=True)
def _chunk_tallies_split(
    stage: np.ndarray,
    comfort: np.ndarray,
    level: np.ndarray,
    audience: np.ndarray,
    parts: int,
    counts: np.ndarray,
    sums: np.ndarray,
) -> None:
    """:func:`_chunk_tallies` of every chunk, ``parts`` runs of chunks side by side."""
    chunks = len(counts)
    for k in prange(parts):
        first, last = chunks * k // parts, chunks * (k + 1) // parts
        _chunk_tallies(stage, comfort, level, audience, first, last, counts, sums)


@njit(cache=True, error_model="numpy")  # an empty level's shares are NaN, as numpy's
def _tally_of(
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


@njit(cache=True)
def _tally(
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
    people in order, the chunks in ``parts`` runs side by side (one: on this thread), so a
    replication's figures depend neither on the batch it ran in nor on the threads."""
    R, n = stage.shape
    chunks = -(-n // TALLY_CHUNK)
    counts = np.zeros((chunks, levels.shape[1], 3), dtype=np.int64)
    sums = np.zeros((chunks, 2))
    for r in range(R):
        if parts > 1:
            _chunk_tallies_split(stage[r], comfort[r], level, audience, parts, counts, sums)
        else:
            _chunk_tallies(stage[r], comfort[r], level, audience, 0, chunks, counts, sums)
        _tally_of(counts, sums, level_size, stages[r], levels[r], out[r])


def first_reaching(series: np.ndarray, level: float) -> np.ndarray:
    """First step at which ``series`` (shape ``(T, R)``) is at least ``level``; NaN if never."""
    hit = series >= level
    first = np.argmax(hit, axis=0).astype(float)
    return np.where(hit.any(axis=0), first, np.nan)


def leader_attention(ctx: Context) -> float:
    """Mean share of everyone's attention that goes to leaders (silent ones counted)."""
    att = ctx.attention
    leaders = ctx.org.is_leader | (ctx.assignment.strategy != NONE)
    return float(att.static_share(leaders).mean())


def outcome_columns(recorder: Recorder) -> dict[str, np.ndarray]:
    """The columns of :func:`outcomes`, each an array of one value per replication.

    Columns: final stage shares; ``peak_poster``; ``t10``/``t50``/``t90`` (first step with
    at least that share of posters, NaN if never); ``took_off`` (reached 10 %);
    ``deepest_level`` (deepest level with at least 10 % posters, -1 if none),
    ``top_poster`` and ``frontline_poster`` (poster shares at level 0 and the deepest level);
    ``reach`` (summed audience of posters at the horizon); totals of the events, with
    ``cross_unit`` the number of posts observed from another unit; ``leader_attention``; and
    ``adopted_<source>``, the number of adoptions by main source.
    """
    stages = recorder.series("stages")
    poster = stages[:, :, 2]
    levels = recorder.series("levels")[-1][:, :, 2]  # (R, L)
    R = poster.shape[1]
    data: dict[str, np.ndarray] = {"replication": np.arange(R)}
    for s, name in enumerate(STAGES):
        data[name] = stages[-1, :, s]
    data["peak_poster"] = poster.max(axis=0)
    for level in MILESTONES:
        data[f"t{round(level * 100)}"] = first_reaching(poster, level)
    data["took_off"] = ~np.isnan(data["t10"])
    reached = levels >= 0.1
    data["deepest_level"] = np.where(
        reached.any(axis=1), levels.shape[1] - 1 - np.argmax(reached[:, ::-1], axis=1), -1
    )
    data["top_poster"] = levels[:, 0]
    data["frontline_poster"] = levels[:, -1]
    data["reach"] = recorder.series("reach")[-1]
    for name in EVENT_COLUMNS:
        data[name] = recorder.series(name).sum(axis=0)
    data["leader_attention"] = np.full(R, recorder.leader_attention)
    adoptions = recorder.series("adoptions").sum(axis=0)
    for s, name in enumerate(SOURCES):
        data[f"adopted_{name}"] = adoptions[:, s]
    return data


def outcomes(recorder: Recorder) -> pd.DataFrame:
    """One row of outcomes per replication (the columns: see :func:`outcome_columns`)."""
    import pandas as pd

    return pd.DataFrame(outcome_columns(recorder))


__all__ = ["Recorder", "first_reaching", "outcome_columns", "outcomes"]
