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

from simulator.measures import MILESTONE_SHARES
from simulator.mechanisms.base import Context, Events
from simulator.mechanisms.social_learning import split
from simulator.state import EVENTS, SOURCES, STAGES, State
from simulator.strategies import NONE
from simulator.tally import tally

if TYPE_CHECKING:  # pandas is imported when a table is made, not by the engine
    import pandas as pd

    from simulator.people import FirstWeeks


@dataclass
class Recorder:
    """Collects one row per step, for every replication (in chunks of steps: a compiled
    step may run and record several weeks at once); and when it follows the people
    (:meth:`follow`), the first week each was a listener and a poster."""

    ctx: Context
    rows: dict[str, list[np.ndarray]] = field(default_factory=dict)  # chunks: (steps, R, ...)
    _stacked: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    first_weeks: FirstWeeks | None = field(default=None, repr=False)  # (see follow)

    def __post_init__(self) -> None:
        org = self.ctx.org
        self.level = np.asarray(org.level, dtype=np.int64)
        self.level_size = np.bincount(self.level, minlength=org.levels)
        self.audience = np.asarray(org.audience, dtype=float)
        # an outcome fixed by the organisation: worked out while it is built (its working
        # array then adds nothing to a large run's peak memory)
        self.leader_attention = leader_attention(self.ctx)

    @property
    def tally_inputs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """What :func:`~simulator.tally.tally` reads besides the state: each person's level
        and audience, and the level sizes."""
        return self.level, self.audience, self.level_size

    def buffers(self, steps: int, replications: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Arrays for the tallies of ``steps`` steps: the shares by stage ``(steps, R, 3)``
        and by level and stage ``(steps, R, L, 3)``, reach and mean comfort ``(steps, R, 2)``."""
        R, L = replications, len(self.level_size)
        return np.empty((steps, R, 3)), np.empty((steps, R, L, 3)), np.empty((steps, R, 2))

    def record(self, state: State, events: Events | None = None) -> None:
        """Append the state after a step (and that step's events; none for the start)."""
        events = events or Events(state.replications)
        stages, levels, figures = self.buffers(1, state.replications)
        parts = numba.get_num_threads() if split(state.n) else 1  # the same sums either way
        tally(
            state.stage, state.comfort, *self.tally_inputs, parts, stages[0], levels[0], figures[0]
        )
        counts = np.stack([events.counts[name] for name in EVENTS], axis=-1)
        self.record_weeks(stages, levels, figures, counts[None], events.counts["adoptions"][None])
        if self.first_weeks is not None:  # (who reached a stage this week: marked at it)
            self.first_weeks.mark()

    def record_weeks(
        self,
        stages: np.ndarray,
        levels: np.ndarray,
        figures: np.ndarray,
        counts: np.ndarray,
        adoptions: np.ndarray,
    ) -> None:
        """Append the records of steps run one after the other (leading axis: the step):
        the tallies (see :meth:`buffers`), the event counts ``(steps, R, events)`` in
        ``EVENTS`` order and the adoptions by source ``(steps, R, sources)``. The people
        followed are as many weeks on (:meth:`~simulator.people.FirstWeeks.passed`); their
        first weeks are marked by whoever ran the steps: a compiled call at each step's end
        (:meth:`~simulator.people.FirstWeeks.marks`), :meth:`record` at the week's."""
        chunks = {
            "stages": stages,
            "levels": levels,
            **{name: counts[..., k] for k, name in enumerate(EVENTS)},
            "adoptions": adoptions,
            "reach": figures[..., 0],
            "comfort": figures[..., 1],
        }
        for key, chunk in chunks.items():
            self.rows.setdefault(key, []).append(chunk)
        self._stacked.clear()
        if self.first_weeks is not None:
            self.first_weeks.passed(len(stages))

    def follow(self, state: State, week: int | None = None) -> FirstWeeks:
        """Follow each person of ``state`` from the week recorded last on: the first week
        each is seen at least a listener and a poster, updated at each record
        (:class:`~simulator.people.FirstWeeks`, kept as :attr:`first_weeks`), to the week:
        a compiled mechanism that runs and records several weeks at once marks them at each
        week's end (:meth:`record_weeks`).

        Parameters
        ----------
        state : State
            The state this recorder records (as it is now).
        week : int, optional
            The week of ``state`` now (an engine's ``week``): by default the last week
            recorded (0 before any record). One that is not the last week recorded is an
            error, as the first weeks would all be off by the difference.

        Raises
        ------
        ValueError
            If ``week`` is not the last week recorded.

        Examples
        --------
        >>> from simulator.engine import Engine
        >>> from simulator.params import Params
        >>> engine = Engine(Params().with_updates({"org.size": 50}), rng=3)
        >>> _ = engine.run(5)
        >>> engine.recorder.follow(engine.state).week  # (those posting now: marked at 5)
        5
        """
        from simulator.people import FirstWeeks

        recorded = sum(len(chunk) for chunk in self.rows.get("stages", [])) - 1  # (row 0: start)
        if week is None:
            week = max(recorded, 0)
        elif recorded >= 0 and week != recorded:
            raise ValueError(
                f"follow(state, week={week}): the recorder has recorded up to week {recorded},"
                f" so the state is at week {recorded}; leave week out (it is read from the"
                " record) or pass the engine's week"
            )
        self.first_weeks = FirstWeeks(state, week)
        return self.first_weeks

    def series(self, key: str) -> np.ndarray:
        """The recorded series ``key`` stacked as ``(steps + 1, R, ...)`` (read-only: stacked
        once until the next record)."""
        if key not in self._stacked:
            stacked = np.concatenate(self.rows[key])
            stacked.flags.writeable = False
            self._stacked[key] = stacked
        return self._stacked[key]

    def columns(self) -> dict[str, np.ndarray]:
        """The per-step columns of :meth:`frame` (all but ``step`` and ``replication``), each
        shaped ``(steps + 1, R)``."""
        stages = self.series("stages")
        data = {name: stages[:, :, s] for s, name in enumerate(STAGES)}
        for name in (*EVENTS, "reach", "comfort"):
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


def first_reaching(series: np.ndarray, level: float) -> np.ndarray:
    """First step at which ``series`` (shape ``(T, R)``) is at least ``level``; NaN if never."""
    hit = series >= level
    first = np.argmax(hit, axis=0).astype(float)
    return np.where(hit.any(axis=0), first, np.nan)


def leader_attention(ctx: Context) -> float:
    """Mean share of everyone's attention that goes to leaders (silent ones counted); worked
    out once for the contexts that share the network and the leaders."""
    leaders = ctx.org.is_leader | (ctx.assignment.strategy != NONE)
    key = (leader_attention, np.packbits(leaders).tobytes())
    if key not in ctx.compiled:
        ctx.compiled[key] = float(ctx.attention.static_share(leaders).mean())
    return float(ctx.compiled[key])


def outcome_columns(recorder: Recorder) -> dict[str, np.ndarray]:
    """The columns of :func:`outcomes`, each an array of one value per replication.

    Columns: final stage shares; ``peak_poster``; ``t10``/``t50``/``t90`` (first step with
    at least that share of posters, NaN if never); ``took_off`` (reached 10 %);
    ``deepest_level`` (deepest level with at least 10 % posters, NaN if none, so that a mean
    is taken over the runs that reached one, as for the milestones),
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
    for level in MILESTONE_SHARES:
        data[f"t{round(level * 100)}"] = first_reaching(poster, level)
    data["took_off"] = ~np.isnan(data["t10"])
    reached = levels >= 0.1
    data["deepest_level"] = np.where(
        reached.any(axis=1), levels.shape[1] - 1 - np.argmax(reached[:, ::-1], axis=1), np.nan
    )
    data["top_poster"] = levels[:, 0]
    data["frontline_poster"] = levels[:, -1]
    data["reach"] = recorder.series("reach")[-1]
    for name in EVENTS:
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
