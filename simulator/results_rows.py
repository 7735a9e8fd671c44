"""A task's run results as the rows of a results folder's tables
(:data:`~simulator.results_files.TABLES`): outcome rows of finished and of failed runs, with
each run's swept values (its axes' columns of one type over the whole design,
:func:`axis_types`), and the series, levels and people stacked in Arrow with their key
columns.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

if TYPE_CHECKING:
    from simulator.scenario import Plan
    from simulator.sweep_runs import RunResult


def tables_of(
    results: Sequence[RunResult],
    plan: Plan,
    attempt: int,
    axes: dict[str, pa.DataType],
) -> dict[str, tuple[np.ndarray, pa.Table]]:
    """Outcome rows of finished and of failed runs (with axis values and status), series,
    levels and people rows of ``results``: each table as the arm of every row and the Arrow
    table of the other columns; ``axes``: the axes' column types (:func:`axis_types`)."""
    from simulator.people import arrow_types

    rows: dict[bool, list[dict[str, Any]]] = {True: [], False: []}
    for r in results:
        point = plan.axis_values(r.point, r.arm)
        rows[r.ok].append(
            {
                "point": r.point,
                "arm": r.arm,
                "replication": r.replication,
                "attempt": attempt,
                **{k: _cell(point.get(k)) for k in axes},  # (None: not set at this point)
                "seed": plan.scenario.scenario.seed,
                "status": "ok" if r.ok else "failed",
                "error": r.error or "",
                "seconds": r.seconds,
                **r.outcomes,
            }
        )
    return {
        "outcomes": _table(pd.DataFrame(rows[True]), axes),
        "failed": _table(pd.DataFrame(rows[False]), axes),
        "series": _keyed([(r, r.series_columns) for r in results], attempt),
        "levels": _keyed([(r, r.level_columns) for r in results], attempt),
        "people": _keyed([(r, r.people_columns) for r in results], attempt, arrow_types()),
    }


def _cell(value: Any) -> Any:
    """An axis value as an outcomes cell: a list or table (such as ``leaders.rules``) as its
    JSON text, so that runs group by it and Parquet stores it as one column."""
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, sort_keys=True, separators=(", ", ": "))
    return value


def axis_order(manifest: Mapping[str, Any]) -> dict[str, list[object]]:
    """Each swept parameter's values in the order the scenario lists them, as the outcomes
    table holds them (a list or table as its JSON text): a results folder's manifest's
    ``scenario`` -> ``axes[i].values``; a parameter swept within bounds (or a manifest
    without its scenario) by the order of the design points (``resolved`` -> ``points``).
    What the figures' ``order=`` takes.

    >>> axis_order({"scenario": {"axes": [{"param": "culture.policy",
    ...     "values": ["open", "neutral", "restrictive"]}]}})
    {'culture.policy': ['open', 'neutral', 'restrictive']}
    """
    out: dict[str, list[object]] = {}
    for axis in (manifest.get("scenario") or {}).get("axes") or []:
        if axis.get("values"):
            out[str(axis["param"])] = [_cell(v) for v in axis["values"]]
    seen: dict[str, dict[object, None]] = {}
    for point in (manifest.get("resolved") or {}).get("points") or []:
        for key, value in point.items():
            if key not in out:
                seen.setdefault(key, {})[_cell(value)] = None
    return {**out, **{key: list(values) for key, values in seen.items()}}


_NO_ROWS = (np.zeros(0, dtype=object), pa.table({}))
"""A table without rows, as :func:`tables_of` gives it: no arms, no columns."""


def axis_types(plan: Plan) -> dict[str, pa.DataType]:
    """The Arrow type of each swept axis's column, from its values over the whole design
    and every arm (a task's own rows would give ``0`` an int64 column in one file and
    ``0.5`` a double in another): text if any value is text (or a list, as JSON), else a
    double if any is a float, else bool or int64 (None: no value)."""
    found: dict[str, set[type]] = {k: set() for k in plan.axis_names}
    overriding = [arm for arm, own in plan.overrides.items() if own]
    for i, point in enumerate(plan.points):
        values = [point] + [plan.axis_values(i, arm) for arm in overriding]
        for key, value in (item for v in values for item in v.items()):
            if value is not None:
                found[key].add(type(value))
    types = {}
    for key, kinds in found.items():
        if kinds - {bool, int, float}:
            types[key] = pa.string()
        elif float in kinds:
            types[key] = pa.float64()
        elif kinds == {bool}:
            types[key] = pa.bool_()
        else:
            types[key] = pa.int64()
    return types


def _table(frame: pd.DataFrame, axes: dict[str, pa.DataType]) -> tuple[np.ndarray, pa.Table]:
    """The arm of each row of ``frame`` and its other columns in Arrow, the axes' columns
    of the types in ``axes``."""
    if frame.empty:
        return _NO_ROWS
    others = [c for c in frame.columns if c != "arm"]  # (selected: no copy of the frame)
    table = pa.Table.from_pandas(frame, columns=others, preserve_index=False, nthreads=1)
    for key, kind in axes.items():
        i = table.schema.get_field_index(key)
        column = table.column(i)
        if column.type == kind:
            continue
        if kind == pa.string():  # (a number among text values: as text)
            column = pa.array([None if v is None else str(v) for v in column.to_pylist()])
        table = table.set_column(i, key, column.cast(kind))
    return frame["arm"].to_numpy(), table


def _keyed(
    parts: list[tuple[RunResult, dict[str, np.ndarray] | None]],
    attempt: int,
    types: Mapping[str, pa.DataType] | None = None,
) -> tuple[np.ndarray, pa.Table]:
    """The runs' per-step (or per-person) columns stacked into one table, led by their key
    columns (arms apart), made in Arrow from the arrays: NaN is null, as from a DataFrame;
    the columns in ``types`` of those types (text even when every value is None)."""
    kept = [(r, columns) for r, columns in parts if columns is not None]
    if not kept:
        return _NO_ROWS
    lengths = [len(next(iter(columns.values()))) for _, columns in kept]
    data = {
        "point": np.repeat([r.point for r, _ in kept], lengths),
        "replication": np.repeat([r.replication for r, _ in kept], lengths),
        "attempt": np.full(sum(lengths), attempt),
    }
    for name in kept[0][1]:
        data[name] = np.concatenate([columns[name] for _, columns in kept])
    arms = np.repeat(np.array([r.arm for r, _ in kept], dtype=object), lengths)
    kinds = types or {}
    return arms, pa.table(
        {k: pa.array(v, type=kinds.get(k), from_pandas=True) for k, v in data.items()}
    )
