"""Who adopts, and when: a row per person and run (``[record] people = true``).

Each row says who the person is (place in the org chart, role, reports, audience, the
strategy they were given, whether they were appointed a delegate) and what they did: the
first week at whose end they were at least a listener (``first_listener``) and a poster
(``first_poster``; NaN if never; week 0 is the initial state), their stage at the horizon
and the main source of their first adoption (docs/ODD.md 7.7). NetLogo users get this from
agent reporters, NDlib users from the node statuses of each iteration.

The first weeks are seen on the weekly record (:class:`FirstWeeks`, which
:class:`~simulator.metrics.Recorder` updates each time it records), to the week: a compiled
mechanism that runs and records several weeks at once (:meth:`~simulator.engine.Engine.run`)
marks them at each week's end as it tallies the week (:meth:`FirstWeeks.marks`), so a run
that follows its people runs as one that does not, with the same numbers.

Examples
--------
>>> from simulator.engine import Engine
>>> from simulator.params import Params
>>> engine = Engine(Params().with_updates({"org.size": 50, "leaders.strategy": "model"}), rng=3)
>>> first = engine.recorder.follow(engine.state)
>>> _ = engine.run(4)  # (or engine.step() four times: the same rows)
>>> table = frame(engine)  # a row per person (of each replication)
>>> len(table)
50
>>> top = table.loc[0]  # held a poster from week 1, by the strategy
>>> top["role"], top["strategy"], int(top["first_poster"]), top["source"]
('top', 'model', 1, 'assigned')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from simulator.params import STRATEGIES
from simulator.selectors import ROLES
from simulator.state import COUNT, SOURCES, STAGES, State

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from simulator.engine import Engine
    from simulator.orgchart import Org
    from simulator.strategies import Assignment

Columns = dict[str, np.ndarray]

NO_REPORTS = "no reports"
"""The ``role`` of the people without reports (the leaders' roles are
:data:`~simulator.selectors.ROLES`)."""

COLUMNS: dict[str, tuple[str, str]] = {
    "person": ("", "the person's index in the organisation (0 to people - 1)"),
    "id": ("", "the person's id in the org chart ([scenario] org_csv), else the index as text"),
    "manager": ("", "the index (person) of the person's manager; -1 for the top leader"),
    "level": ("", "hierarchy level (0 = top)"),
    "unit": ("", "the person's unit (department)"),
    "role": (
        "",
        "role in the reporting tree: top, executive, middle or frontline for a leader;"
        " 'no reports' for everyone else",
    ),
    "reports": ("people", "direct reports"),
    "audience": ("followers", "external audience of the person's account"),
    "is_leader": ("", "has at least one report"),
    "strategy": ("", "leader strategy assigned (model, delegate, listen, restrict; else none)"),
    "delegate": ("", "appointed a delegate (a report delegate or a member of the comms team)"),
    "first_listener": (
        "weeks",
        "first week at whose end the person was a listener or a poster (0: the initial state;"
        " empty if never)",
    ),
    "first_poster": (
        "weeks",
        "first week at whose end the person was a poster (0: the initial state; empty if never)",
    ),
    "final_stage": ("", "stage at the horizon: non_user, listener or poster"),
    "source": (
        "",
        "main source of the person's first adoption (assigned, leader, peer, delegate,"
        " guideline, spontaneous; docs/ODD.md 7.7), set even for one that lapsed before the"
        " week's end (first_poster empty); empty if they never adopted",
    ),
}
"""The columns of a run's rows (after its key), with their unit and meaning."""

TEXT = ("id", "unit", "role", "strategy", "final_stage", "source")
"""Columns of text (null where empty), typed as such in every file, even one in which
every value is empty (no one adopted: no source)."""


@dataclass
class FirstWeeks:
    """The first week each person of each replication was seen at least a listener and a
    poster, ``(R, n)`` arrays of weeks (``-1``: not yet): counted on by :meth:`passed` at
    each record, marked from ``state`` by :meth:`mark` after a week's record (or by a
    compiled run of several weeks itself: :meth:`marks`).

    Parameters
    ----------
    state : State
        The run's state (read at each :meth:`seen`; its arrays may be replaced in between).
    week : int
        The week of the state as it is now: those at a stage already are marked at it.
    """

    state: State
    week: int = 0
    listener: np.ndarray = field(init=False, repr=False)
    poster: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        shape = self.state.stage.shape
        self.listener = np.full(shape, -1, dtype=COUNT)
        self.poster = np.full(shape, -1, dtype=COUNT)
        self.mark()

    def marks(self) -> tuple[int, np.ndarray, np.ndarray]:
        """What a compiled run of several weeks marks at each week's end
        (:func:`~simulator.mechanisms.sl_kernel.mark_first`): the number of its first week,
        and :attr:`listener` and :attr:`poster`, updated in place; then :meth:`passed`."""
        return int(self.week) + 1, self.listener, self.poster

    def passed(self, weeks: int) -> None:
        """``weeks`` weeks on (recorded: one, or several run at once)."""
        self.week += weeks

    def mark(self) -> None:
        """Mark those at a stage in ``state`` now, not marked yet, at the week now."""
        from simulator.mechanisms.sl_kernel import mark_first  # (the rule compiled runs mark by)

        mark_first(self.state.stage, self.week, self.listener, self.poster)


def columns(org: Org, assignment: Assignment, first: FirstWeeks, state: State) -> list[Columns]:
    """Per replication of a batch, the columns of :data:`COLUMNS`: one row per person."""
    n = org.n
    roles = org.roles
    role_names = np.array([*ROLES, NO_REPORTS], dtype=object)  # (-1, no role: the last)
    source_names = np.array([*SOURCES, None], dtype=object)  # (-1, never adopted)
    fixed = {
        "person": np.arange(n, dtype=np.int64),
        "id": np.asarray(list(org.ids), dtype=object),
        "manager": np.asarray(org.manager, dtype=np.int64),
        "level": np.asarray(org.level, dtype=np.int64),
        "unit": np.asarray(org.unit_names, dtype=object)[org.unit],
        "role": role_names[roles],
        "reports": org.n_reports.astype(np.int64),
        "audience": np.asarray(org.audience, dtype=float),
        "is_leader": np.array(org.is_leader, dtype=bool),
        "strategy": np.asarray(STRATEGIES, dtype=object)[assignment.strategy],
        "delegate": np.array(assignment.is_delegate, dtype=bool),
    }
    stages = np.asarray(STAGES, dtype=object)
    return [
        {
            **fixed,
            "first_listener": _weeks(first.listener[r]),
            "first_poster": _weeks(first.poster[r]),
            "final_stage": stages[state.stage[r]],
            "source": source_names[state.source[r]],
        }
        for r in range(state.replications)
    ]


def _weeks(first: np.ndarray) -> np.ndarray:
    """Weeks as floats, NaN for never (-1)."""
    return np.where(first >= 0, first, np.nan)


def arrow_types() -> dict[str, pa.DataType]:
    """The Arrow types of the columns whose type the values alone may not give
    (:data:`TEXT`)."""
    import pyarrow as pa

    return dict.fromkeys(TEXT, pa.string())


def frame(engine: Engine) -> pd.DataFrame:
    """The rows of an engine's replications (``replication``, then :data:`COLUMNS`), for an
    engine whose recorder follows its people (``engine.recorder.follow(engine.state)``)
    since its start (followed from a later week, those at a stage then are marked at it)."""
    import pandas as pd

    first = engine.recorder.first_weeks
    if first is None:
        raise ValueError(
            "the engine's recorder does not follow its people: call"
            " engine.recorder.follow(engine.state) before its first step"
        )
    parts = columns(engine.org, engine.assignment, first, engine.state)
    tables = [pd.DataFrame({"replication": r, **part}) for r, part in enumerate(parts)]
    return pd.concat(tables, ignore_index=True)


__all__ = ["COLUMNS", "NO_REPORTS", "FirstWeeks", "columns", "frame"]
