"""Arms over the weeks of a sweep: per arm, the median of a series over runs and its
10-90 % band, a panel per design point, or per value (or quantile bin) of a swept parameter.

Examples
--------
>>> import pandas as pd
>>> series = pd.DataFrame({"point": [0, 0, 1, 1], "arm": "a", "replication": 0,
...     "step": [0, 1, 0, 1], "poster": [0.0, 0.2, 0.0, 0.6]})
>>> fig = arm_curves(series, point_labels={0: "x = 1", 1: "x = 2"})
>>> [ax.get_title() for ax in fig.axes]
['x = 1', 'x = 2']
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from simulator.measures import in_percent
from simulator.measures import label as measure_label
from simulator.plots_colours import arm_colours
from simulator.plots_style import FONT, band_line, finish_panel
from simulator.plots_text import figure_legend, fitted_title, panel_room
from simulator.plots_values import arm_order, is_number, ordered_values, tick_label

MAX_PANELS = 6
"""Up to this many design points (or values of a parameter), :func:`arm_curves` draws a
panel each."""


def arm_curves(
    series: pd.DataFrame,
    metric: str = "poster",
    *,
    arms: Sequence[str] | None = None,
    point_labels: Mapping[int, str] | None = None,
    max_panels: int = MAX_PANELS,
    by: str | None = None,
    bins: int = 4,
    order: Mapping[str, Sequence[object]] | None = None,
    measures: Mapping[str, Any] | None = None,
) -> Figure:
    """Per arm, the median of ``metric`` over runs against the week, with the 10-90 % band.

    Parameters
    ----------
    series : DataFrame
        Per-step rows with ``point``, ``arm``, ``replication``, ``step`` and ``metric``
        (and the column ``by`` if given: ``results.with_axes(results.series)``).
    metric : str
        The series column to draw.
    arms : sequence of str, optional
        All arms in scenario order (fixes the colours).
    point_labels : mapping of int to str, optional
        Panel titles by design point (e.g. its axis values).
    max_panels : int
        Without ``by``: with 2 to ``max_panels`` design points, one panel each; otherwise
        the runs of all points are pooled in one panel (and the legend says so). With
        ``by``: up to this many values of it get a panel each; more are binned.
    by : str, optional
        A swept parameter: one panel per value of it, the runs of the other axes pooled
        in each (EMA Workbench's ``envelopes(..., group_by=...)``); with more than
        ``max_panels`` values (a sampled design), one panel per quantile bin of it.
    bins : int
        With ``by`` and more than ``max_panels`` values, this many bins of about equal
        numbers of design points, each titled with the range of its values.
    order : mapping of str to sequence, optional
        The values of each swept parameter in the scenario's order
        (:func:`simulator.results.axis_order`): the panels of text and true/false values of
        ``by`` follow it (default: the order they first appear).
    measures : mapping, optional
        The measures of the outcomes a scenario defines (``outcomes.attrs["measures"]``):
        labels, and percentages for shares (:func:`simulator.measures.in_percent`).

    Examples
    --------
    >>> series = pd.DataFrame({"point": [0, 0, 1, 1], "arm": "a", "replication": 0,
    ...     "step": [0, 1, 0, 1], "poster": [0.0, 0.2, 0.0, 0.6], "x.y": [1, 1, 2, 2]})
    >>> [ax.get_title() for ax in arm_curves(series, by="x.y").axes]
    ['x.y = 1', 'x.y = 2']
    """
    arms = arm_order(series, arms)
    colours = arm_colours(arms)
    name_of = functools.partial(measure_label, custom=measures)
    points = sorted(series["point"].unique())
    if by is not None:
        panel, titles, pooled = _panels_by(series, by, max_panels, bins, (order or {}).get(by))
    elif len(points) <= max_panels:
        panel = series["point"].map({p: k for k, p in enumerate(points)}).to_numpy()
        titles = [_panel_title(p, point_labels, len(points)) for p in points]
        pooled = ""
    else:
        panel = np.zeros(len(series), dtype=int)
        titles = [""]
        pooled = f", pooled over {len(points)} design points"
    count = max(1, len(titles))
    ncol = 2 if count == 4 else min(3, count)  # (four: two by two, not three and one)
    nrow = math.ceil(count / ncol)
    fig = Figure(figsize=(4.9 * ncol + 0.4, 3.8 * nrow + 1.0), layout="constrained")
    grid = fig.subplots(nrow, ncol, squeeze=False, sharex=True, sharey=True)
    room = panel_room(grid[0, 0])
    runs = 0
    for k, (ax, name) in enumerate(zip(grid.ravel(), titles, strict=False)):
        part = series[panel == k]
        for arm in arms:
            mine = part[part["arm"] == arm]
            if mine.empty:
                continue
            many = mine.groupby(["point", "replication"]).ngroups
            runs = max(runs, many)
            band_line(ax, mine, metric, colours[arm], arm, many > 1)
        title, size = fitted_title(name, room)
        finish_panel(ax, title, "Week", name_of(metric), in_percent(metric, measures))
        ax.title.set_fontsize(size)
    grid[0, 0].set_ylim(bottom=0)  # after all panels: the shared top fits every panel
    weeks = MaxNLocator(integer=True, steps=[1, 2, 5, 10])  # 0, 10, 20: not 0, 6, 12
    grid[0, 0].xaxis.set_major_locator(weeks)
    for ax in grid.ravel()[count:]:
        ax.set_visible(False)
    for ax in grid[:-1].ravel():  # the week under the lowest panel of a column only
        ax.set_xlabel("")
    for ax in grid[-2, count - ncol * (nrow - 1) :] if nrow > 1 else ():
        ax.xaxis.set_tick_params(labelbottom=True)  # nothing below these panels
        ax.set_xlabel("Week", fontsize=FONT["label"])
    for ax in grid[:, 1:].ravel():  # the shared y axis: labelled on the left
        ax.set_ylabel("")
    each = " and panel" if count > 1 else ""
    note = f"line: median, band: 10-90 % of up to {runs} runs per arm{each}{pooled}"
    figure_legend(fig, arms, colours, note)
    title = f"{name_of(metric)} by week" + (f", by {by}" if by is not None else "")
    fig.suptitle(title, fontsize=FONT["title"] + 1)
    return fig


def _panels_by(
    series: pd.DataFrame, by: str, most: int, bins: int, listed: Sequence[object] | None = None
) -> tuple[np.ndarray, list[str], str]:
    """Each row's panel (``-1``: none), the panels' titles and how each panel pools runs:
    a panel per value of the swept parameter ``by`` (text and true/false in the order
    ``listed``: :func:`simulator.plots_values.ordered_values`), or (more than ``most``
    values, on a number scale) per one of ``bins`` quantile bins of the design points'
    values."""
    if by not in series:
        raise ValueError(
            f"arm_curves(by={by!r}): the series has no {by!r} column; give the runs' swept"
            " values with them: results.with_axes(results.series)"
        )
    values = series[by]
    # the design points' values (an arm that sets the parameter itself: its own)
    design = series[["point", by]].drop_duplicates().dropna()
    distinct = ordered_values(values, listed)
    if not is_number(values) or len(distinct) <= most:
        numbers = {v: k for k, v in enumerate(distinct)}
        share = design.groupby(by, sort=False)["point"].nunique().to_dict()
        titles = [f"{by} = {tick_label(v)}{_points(share[v])}" for v in distinct]
        pooled = ", pooled over the other swept axes" if max(share.values()) > 1 else ""
        return values.map(numbers).fillna(-1).to_numpy(dtype=int), titles, pooled
    x, drawn = values.to_numpy(dtype=float), design[by].to_numpy(dtype=float)
    edges = np.unique(np.quantile(drawn, np.linspace(0.0, 1.0, bins + 1)))
    last = len(edges) - 2

    def binned(v: np.ndarray) -> np.ndarray:  # bins (a, b], the first [a, b]; NaN: -1
        k = np.clip(np.searchsorted(edges, v, side="left") - 1, 0, last)
        return np.where(np.isnan(v), -1, k)

    cut, which = binned(x), binned(drawn)
    whole = bool(np.all(np.mod(drawn, 1.0) == 0.0))
    digits = _digits(float(drawn.min()), float(drawn.max()), whole)
    ks = sorted(set(which.tolist()))
    ranges = [(float(x[cut == k].min()), float(x[cut == k].max())) for k in ks]
    while (
        not whole
        and digits < 6
        and any(  # (1.10-3.71 and 3.84-6.24 read "1-4", "4-6")
            f"{a[1]:.{digits}f}" == f"{b[0]:.{digits}f}" for a, b in itertools.pairwise(ranges)
        )
    ):
        digits += 1
    panel = np.full(len(x), -1)
    names: list[str] = []
    for k, (first, last_value) in zip(ks, ranges, strict=True):
        panel[cut == k] = len(names)
        count = design["point"].to_numpy()[which == k]
        low, high = (f"{v:.{digits}f}" for v in (first, last_value))
        span = f"= {low}" if low == high else f"{low}–{high}"  # (a bin of one whole number)
        names.append(f"{by} {span}{_points(len(set(count.tolist())))}")
    pooled = f", pooled over the design points in each of {len(names)} bins of {by}"
    return panel, names, pooled


def _points(count: int) -> str:
    """``(3 points)`` after a panel's title when it pools design points."""
    return f" ({count} points)" if count > 1 else ""


def _digits(low: float, high: float, whole: bool) -> int:
    """Decimals that tell the values of a range apart: none for whole numbers, two for a
    range of about 1.

    >>> _digits(0.02, 0.97, False), _digits(1.0, 20.0, True), _digits(0.5, 4.0, False)
    (2, 0, 1)
    """
    if whole:
        return 0
    span = high - low
    return max(0, 1 - math.floor(math.log10(span))) if span > 0 else 2


def _panel_title(point: int | None, labels: Mapping[int, str] | None, panels: int) -> str:
    if point is None:
        return ""
    if labels and point in labels:
        return labels[point]
    return f"Design point {point}" if panels > 1 else ""


__all__ = ["MAX_PANELS", "arm_curves"]
