"""A robustness table in words: its values in their units, each row's cells, and one
sentence on the ranking.

:func:`simulator.robustness.robustness` computes the table; ``orgsim robustness``
(:mod:`simulator.cli_robustness`, a text table) and the report's "Robustness across the
design" section (:mod:`simulator.report_robustness`, HTML) show it, each row's numbers
worded once here (:func:`row_in_words`) so the two say the same thing the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

import pandas as pd

from simulator import measures


def shown(
    value: Any, metric: str, *, gap: bool = False, custom: Mapping[str, Any] | None = None
) -> str:
    """A value of ``metric`` in words: a share, flag or score as a percentage (a gap in
    points), weeks as weeks; NaN as ``-``. The kind is the measure's
    (:mod:`simulator.measures`; a scenario's own outcomes: ``custom``, as
    ``outcomes.attrs["measures"]`` carries them).

    >>> shown(0.1234, "poster"), shown(0.004, "poster", gap=True), shown(7.5, "t50")
    ('12.3 %', '0.4 pp', '7.5 weeks')
    """
    number = float(value)
    if number != number:
        return "-"
    if measures.in_percent(metric, custom):
        return f"{100 * number:.1f} {'pp' if gap else '%'}"
    if getattr(measures.find(metric, custom), "kind", "") == "weeks":
        return f"{number:.3g} week{'' if number == 1 else 's'}"
    return f"{number:.3g}"


def row_in_words(row: Mapping[Any, Any], custom: Mapping[str, Any] | None = None) -> dict[str, str]:
    """The numbers of one row of a :func:`simulator.robustness.robustness` table in words
    (by column): the regrets as gaps (:func:`shown` with ``gap``), the share of points
    where the arm is best or tied for best (``best_or_tied``: no arm better; the ties are
    not split, so that it says what the verdict's "best or tied" says) as a whole
    percentage, the point means in the outcome's unit. ``custom``: the table's
    ``attrs["measures"]`` (a scenario's own outcomes).

    >>> row = {"metric": "poster", "mean_regret": 0.0667, "regret_low": 0.0333,
    ...        "regret_high": 0.111, "max_regret": 0.2, "best_or_tied": 2 / 3,
    ...        "mean": 0.522, "tail": 0.28, "worst": 0.2}
    >>> words = row_in_words(row)
    >>> words["mean_regret"], words["regret_high"], words["best_or_tied"], words["tail"]
    ('6.7 pp', '11.1 pp', '67 %', '28.0 %')
    """
    metric = str(row["metric"])
    gap = partial(shown, metric=metric, gap=True, custom=custom)
    value = partial(shown, metric=metric, custom=custom)
    return {
        "mean_regret": gap(row["mean_regret"]),
        "regret_low": gap(row["regret_low"]),
        "regret_high": gap(row["regret_high"]),
        "max_regret": gap(row["max_regret"]),
        "best_or_tied": f"{100 * row['best_or_tied']:.0f} %",
        "mean": value(row["mean"]),
        "tail": value(row["tail"]),
        "worst": value(row["worst"]),
    }


def verdict(table: pd.DataFrame) -> str:
    """One sentence on a :func:`simulator.robustness.robustness` table: the arm of the
    lowest mean regret, and where the arm of the highest falls furthest behind."""
    if table.empty:
        return "no arm to rank"
    metric, first, last = str(table["metric"].iloc[0]), table.iloc[0], table.iloc[-1]
    gap = partial(shown, metric=metric, gap=True, custom=table.attrs.get("measures"))
    one = int(first["points"]) == 1
    of = int(table.attrs.get("design_points", 1))  # (the points with values, left out too)
    left = f" left (of {of})" if int(first["points"]) < of else ""
    points = f"{int(first['points'])} design point{'' if one else 's'}{left}"
    every = f"at the one design point{left}" if one else f"at every one of {points}"
    if len(table) == 1:
        return f"{first['arm']} is the only arm: no regret to compare over {points}"
    if float(table["max_regret"].max()) <= 0:
        return f"the arms are tied in {metric} {every}: no regret"
    regret = gap(first["mean_regret"])
    said = f"{first['arm']} has the lowest mean regret in {metric}: {regret} over {points}"
    if float(first["max_regret"]) <= 0:  # (best or tied everywhere)
        said = f"{first['arm']} is best or tied for best in {metric} {every}"
    best = _best_at(table, int(last["max_regret_point"]))
    return (
        f"{said}; {last['arm']} falls furthest behind at {last['max_regret_label']}"
        f" ({gap(last['max_regret'])} behind {best})"
    )


def _best_at(table: pd.DataFrame, point: int) -> str:
    """The arm(s) best at ``point`` (the per-point table in ``table.attrs``)."""
    per = table.attrs.get("per_point")
    if per is None or per.empty:
        return "the best arm"
    at = per[per["point"] == point]
    return " and ".join(map(str, at.loc[at["regret"] <= 0, "arm"])) or "the best arm"
