"""The values a figure of a sweep is drawn over: the arms, and a swept parameter's values on
a number scale or as categories, in order, as tick labels.

Numbers are drawn on a number scale, ascending; text and true/false values are categories in
the order the scenario lists them (:func:`simulator.results.axis_order` of the folder's
manifest), any not listed after them in the order they first appear.

Examples
--------
>>> import pandas as pd
>>> is_number(pd.Series([0.1, 0.5])), is_number(pd.Series([True, False]))
(True, False)
>>> [tick_label(v) for v in (0.30000000000000004, 2, True, "open")]
['0.3', '2', 'True', 'open']
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def arm_order(frame: pd.DataFrame, arms: Sequence[str] | None) -> list[str]:
    """The arms to draw: ``arms`` as given (all the scenario's, in its order: it fixes their
    colours), else those in ``frame`` alphabetically (none without an ``arm`` column).

    >>> arm_order(pd.DataFrame({"arm": ["model", "delegate", "model"]}), None)
    ['delegate', 'model']
    """
    if arms is not None:
        return list(arms)
    return sorted(str(a) for a in frame["arm"].unique()) if "arm" in frame else []


def is_number(values: pd.Series) -> bool:
    """Whether an axis is drawn on a number scale (numbers; not true/false, not text)."""
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def ordered_values(values: pd.Series, listed: Sequence[object] | None = None) -> list[object]:
    """Distinct values: numbers ascending; text and true/false in the order ``listed`` (the
    scenario's, :func:`simulator.results.axis_order`), any not listed after them in order
    of appearance.

    >>> policy = pd.Series(["neutral", "restrictive", "open", "neutral", "other"])
    >>> ordered_values(policy, ["open", "neutral", "restrictive"]), ordered_values(policy)
    (['open', 'neutral', 'restrictive', 'other'], ['neutral', 'restrictive', 'open', 'other'])
    >>> [bool(v) for v in ordered_values(pd.Series([False, True, False]), [True, False])]
    [True, False]
    """
    distinct = list(pd.unique(values.dropna()))
    if is_number(values):
        return sorted(distinct)
    rank: dict[object, int] = {}
    for i, value in enumerate(listed or ()):
        rank.setdefault(value, i)
        rank.setdefault(str(value), i)  # (a number among text values is held as text)
    last = len(rank)

    def place(k: int) -> tuple[int, int]:
        value = distinct[k]
        return rank.get(value, rank.get(str(value), last)), k

    return [distinct[k] for k in sorted(range(len(distinct)), key=place)]


def tick_label(value: object) -> str:
    """A swept value as a tick label: 0.3, 2 (not 2.0), True, restrictive."""
    if isinstance(value, (float, np.floating)):
        return f"{value:.3g}"
    return str(value)


__all__ = ["arm_order", "is_number", "ordered_values", "tick_label"]
