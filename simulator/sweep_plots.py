"""Figures of sweeps: result tables and summaries in, :class:`~matplotlib.figure.Figure` out.

Companions of :mod:`simulator.plots` (same fonts, bands and style) for scenario results:
arms over time, outcomes against a swept parameter, heatmaps of two-axis grids, final
adoption by level and sensitivity indices. Every arm has one colour in every figure, taken
from the colour-blind-safe Okabe-Ito palette in the order of the scenario's arms (pass
``arms=`` with that order; the default is alphabetical). Text and true/false values of a
swept parameter are in the order the scenario lists them (pass ``order=``:
:func:`axis_order` of the folder's manifest; the default is the order they first appear).
Outcomes a scenario defines are labelled, and shown as percentages or not, by their
measures (pass ``measures=``: the outcomes' ``attrs["measures"]``; :mod:`simulator.measures`).
Nothing here reads or writes files.

Examples
--------
>>> import pandas as pd
>>> summary = pd.DataFrame({"point": [0, 1, 0, 1], "x.y": [0.1, 0.9, 0.1, 0.9],
...     "arm": ["a", "a", "b", "b"], "metric": "poster", "n": 3, "mean": [0.1, 0.3, 0.2, 0.5],
...     "ci_low": [0.05, 0.2, 0.1, 0.4], "ci_high": [0.15, 0.4, 0.3, 0.6]})
>>> fig = outcome_vs_parameter(summary, "x.y", "poster", arms=["a", "b"])
>>> len(fig.axes[0].lines)
2
"""

from __future__ import annotations

import functools
import itertools
import math
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.ticker import FuncFormatter, MaxNLocator, NullFormatter, PercentFormatter

from simulator.analysis import t95
from simulator.measures import in_percent
from simulator.measures import kind as measure_kind
from simulator.measures import label as measure_label
from simulator.plots import (
    BAND,
    FONT,
    _arm_list,
    _band_line,
    _finish,
    _legend,
    _longest,
    _text_width,
    _wrap,
    arm_colours,
)

MAX_CELLS_ANNOTATED = 144
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
        The values of each swept parameter in the scenario's order (:func:`axis_order`):
        the panels of text and true/false values of ``by`` follow it (default: the order
        they first appear).
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
    arms = _arm_list(series, arms)
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
    room = _room(grid[0, 0])
    runs = 0
    for k, (ax, name) in enumerate(zip(grid.ravel(), titles, strict=False)):
        part = series[panel == k]
        for arm in arms:
            mine = part[part["arm"] == arm]
            if mine.empty:
                continue
            many = mine.groupby(["point", "replication"]).ngroups
            runs = max(runs, many)
            _band_line(ax, mine, metric, colours[arm], arm, many > 1)
        title, size = _fitted(name, room)
        _finish(ax, title, "Week", name_of(metric), in_percent(metric, measures))
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
    _legend(fig, arms, colours, note)
    title = f"{name_of(metric)} by week" + (f", by {by}" if by is not None else "")
    fig.suptitle(title, fontsize=FONT["title"] + 1)
    return fig


def _panels_by(
    series: pd.DataFrame, by: str, most: int, bins: int, listed: Sequence[object] | None = None
) -> tuple[np.ndarray, list[str], str]:
    """Each row's panel (``-1``: none), the panels' titles and how each panel pools runs:
    a panel per value of the swept parameter ``by`` (text and true/false in the order
    ``listed``: :func:`_ordered`), or (more than ``most`` values, on a number scale) per one
    of ``bins`` quantile bins of the design points' values."""
    if by not in series:
        raise ValueError(
            f"arm_curves(by={by!r}): the series has no {by!r} column; give the runs' swept"
            " values with them: results.with_axes(results.series)"
        )
    values = series[by]
    # the design points' values (an arm that sets the parameter itself: its own)
    design = series[["point", by]].drop_duplicates().dropna()
    distinct = _ordered(values, listed)
    if not _is_number(values) or len(distinct) <= most:
        numbers = {v: k for k, v in enumerate(distinct)}
        share = design.groupby(by, sort=False)["point"].nunique().to_dict()
        titles = [f"{by} = {_fmt_tick(v)}{_points(share[v])}" for v in distinct]
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


def outcome_vs_parameter(
    summary: pd.DataFrame,
    axis: str,
    metric: str,
    *,
    arms: Sequence[str] | None = None,
    bins: int = 8,
    ax: Axes | None = None,
    legend: bool = True,
    log: bool = False,
    order: Mapping[str, Sequence[object]] | None = None,
    measures: Mapping[str, Any] | None = None,
) -> Figure:
    """Mean of ``metric`` and its 95 % confidence band against a swept parameter, per arm.

    Parameters
    ----------
    summary : DataFrame
        From :func:`simulator.analysis.summarise` (columns ``axis``, ``arm``, ``metric``,
        ``n``, ``mean``, ``ci_low``, ``ci_high``).
    axis : str
        The swept parameter (dotted path) on the x axis.
    metric : str
        The outcome.
    arms : sequence of str, optional
        All arms in scenario order (fixes the colours).
    bins : int
        Sampled designs (more than 12 distinct values) are grouped into this many bins of
        about equal counts.
    ax : Axes, optional
        Where to draw; a new figure otherwise.
    legend : bool
        A legend of the arms in the panel; otherwise only a note of what the band is (for
        figures with one legend for several panels, see :func:`arm_legend`).
    log : bool
        A logarithmic x axis (for axes swept on a log scale).
    order : mapping of str to sequence, optional
        The values of each swept parameter in the scenario's order (:func:`axis_order`):
        text and true/false values of ``axis`` are drawn in it (default: the order they
        first appear).
    measures : mapping, optional
        The measures of the outcomes a scenario defines (``outcomes.attrs["measures"]``):
        labels, and percentages for shares (:func:`simulator.measures.in_percent`).

    Notes
    -----
    With one design point per value (a one-axis sweep) the band is each point's confidence
    interval over runs. With several points per value (other axes swept, or bins), the line
    is the mean of the point means, marginalising the other axes, and the band the 95 %
    t interval over those points. Bands stop where the metric does (at 0, and at 100 % for
    a share): an interval over a few runs can reach past them.
    """
    rows = summary[(summary["metric"] == metric) & (summary["n"] > 0)]
    arms = _arm_list(rows if not rows.empty else summary, arms)
    colours = arm_colours(arms)
    if ax is None:
        fig = Figure(figsize=(7.2, 4.8), layout="constrained")
        ax = fig.subplots()
    else:
        fig = ax.get_figure(root=True)  # type: ignore[assignment]
    # true/false is two categories, not the numbers 0 and 1: drawn as strings are
    numeric = _is_number(rows[axis]) if not rows.empty else True
    binned = numeric and rows[axis].nunique() > 12
    values = _ordered(rows[axis], (order or {}).get(axis))
    percent = in_percent(metric, measures)
    name_of = functools.partial(measure_label, custom=measures)
    marginal = False
    for k, arm in enumerate(arms):
        part = rows[rows["arm"] == arm]
        if part.empty:
            continue
        key = pd.qcut(part[axis], bins, duplicates="drop") if binned else part[axis]
        table = _marginal(part, key, axis)
        # an interval of a few runs can reach past what the metric can be: not drawn there
        low = 0.0 if (rows["mean"] >= 0).all() else -np.inf
        table[["lo", "hi"]] = table[["lo", "hi"]].clip(low, 1.0 if percent else np.inf)
        # an arm that sets the swept parameter itself has one value at every design point:
        # its marker stands for its point means, and says so; the others set the note
        own = (
            len(table) == 1 and len(values) > 1 and "point" in part and part["point"].nunique() > 1
        )
        name = f"{arm} (its own {axis} at every point)" if own else arm
        marginal |= bool((table["points"] > 1).any()) and not own
        if numeric:
            x = table["x"].to_numpy(dtype=float)
            ax.fill_between(x, table["lo"], table["hi"], color=colours[arm], alpha=0.2, lw=0)
            ax.plot(x, table["mean"], "o-", color=colours[arm], lw=2.2, ms=5, label=name)
        else:
            x = np.array([values.index(v) for v in table["x"]]) + 0.08 * (k - (len(arms) - 1) / 2)
            # (a mean of equal point means can round past their 10 or 90 % point: 1e-16)
            err = np.maximum([table["mean"] - table["lo"], table["hi"] - table["mean"]], 0.0)
            ax.errorbar(x, table["mean"], yerr=err, fmt="o", color=colours[arm], capsize=4, lw=2)
            ax.plot([], [], "o", color=colours[arm], label=name)
    if not numeric:
        ax.set_xticks(range(len(values)), _categories(values))
        ax.set_xlim(-0.5, len(values) - 0.5)
    elif log:
        ax.set_xscale("log")
        ticks = np.asarray(values, dtype=float)
        if not binned and len(values) <= 10:  # the swept values themselves
            ax.set_xticks(ticks, [f"{v:g}" for v in ticks])  # 2, 4, 8: not 2x10^0, 4x10^0
            ax.xaxis.set_minor_formatter(NullFormatter())
        else:  # decades labelled; within one decade only, its minor ticks too (2, 3, 5)
            plain = FuncFormatter(lambda v, _: f"{v:g}")
            span = float(np.ptp(np.log10(ticks)))
            ax.xaxis.set_major_formatter(plain)
            ax.xaxis.set_minor_formatter(plain if span < 1 else NullFormatter())
    elif not binned and _whole(values):  # levels 1, 2, 3, 4: not ticks at 1.5 and 2.5
        ticks = np.asarray(values, dtype=float)
        ax.set_xticks(ticks, [f"{v:g}" for v in ticks])
    if marginal:
        over = f"in each of {len(set(key))} bins" if binned else "over the other axes"
        note = f"mean of design points, band: 10-90 % of point means {over}"
    else:
        note = "mean, band: 95 % CI over runs"
    if measure_kind(metric, {"measures": measures}) in ("weeks", "level"):
        note += " (that reached it)"
    title, size = _fitted(f"{name_of(metric)} vs {axis}", _room(ax))
    _finish(ax, title, axis, name_of(metric), percent)
    ax.title.set_fontsize(size)
    if metric == "took_off":
        ax.set_ylim(-0.03, 1.03)
    if legend:
        ax.legend(fontsize=FONT["legend"], title=note, title_fontsize=FONT["legend"], frameon=False)
    else:  # the note under the title, wrapped to the panel (it reached the figure's edge)
        small = FONT["legend"] - 0.5
        lines = _wrap(note, _room(ax), small)
        ax.set_title(title, fontsize=size, pad=8 + 1.4 * small * len(lines))
        ax.annotate(
            "\n".join(lines),
            (0.5, 1.0),
            xycoords="axes fraction",
            xytext=(0, 4),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=small,
            color="#555555",
        )
    return fig


def heatmap(
    summary: pd.DataFrame,
    x_axis: str,
    y_axis: str,
    metric: str,
    arm: str | None = None,
    *,
    arms: Sequence[str] | None = None,
    order: Mapping[str, Sequence[object]] | None = None,
    measures: Mapping[str, Any] | None = None,
) -> Figure:
    """Mean of ``metric`` over a two-axis grid, one panel per arm on one colour scale.

    ``arm`` draws one arm only (default: every arm). Values are printed in the cells of
    grids up to 12 x 12; other swept axes, if any, are averaged over. Text and true/false
    values are in the order of ``order`` (:func:`axis_order`; default: the order they
    first appear); ``measures`` are the scenario's own outcomes' (``outcomes.attrs``), for
    their labels and percentages.
    """
    rows = summary[summary["metric"] == metric]
    chosen = [arm] if arm is not None else _arm_list(rows, arms)
    chosen = [a for a in chosen if (rows["arm"] == a).any()] or chosen  # (runs to show)
    grid = functools.partial(_grid, x_axis=x_axis, y_axis=y_axis, order=order)
    tables = {a: grid(rows[rows["arm"] == a], value="mean") for a in chosen}
    percent = in_percent(metric, measures)
    finite = np.concatenate([t.to_numpy(dtype=float).ravel() for t in tables.values()])
    finite = finite[np.isfinite(finite)]
    vmin, vmax = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    fig, axes = _panels(len(chosen))
    image = None
    for ax, name in zip(axes, chosen, strict=True):
        image = _cells(ax, tables[name], "viridis", vmin, vmax, percent, x_axis, y_axis, name)
    if image is not None:
        bar = fig.colorbar(image, ax=list(axes), shrink=0.9)
        bar.set_label(measure_label(metric, measures), fontsize=FONT["label"])
        if percent:
            bar.formatter = PercentFormatter(1.0, decimals=0)
            bar.update_ticks()
    fig.suptitle(f"{measure_label(metric, measures)}: mean over runs", fontsize=FONT["title"] + 1)
    return fig


def difference_heatmap(
    contrasts: pd.DataFrame,
    x_axis: str,
    y_axis: str,
    metric: str,
    arm: str | None = None,
    *,
    order: Mapping[str, Sequence[object]] | None = None,
    measures: Mapping[str, Any] | None = None,
) -> Figure:
    """Paired difference ``arm − baseline`` of ``metric`` over a two-axis grid.

    ``contrasts`` comes from :func:`simulator.analysis.contrasts` (per design point); one
    panel per arm other than the baseline (or just ``arm``), on a diverging colour scale
    centred on zero. Cells whose 95 % confidence interval excludes zero are printed in
    bold with an asterisk. ``order`` and ``measures`` as for :func:`heatmap`.
    """
    rows = contrasts[contrasts["metric"] == metric]
    chosen = [arm] if arm is not None else list(dict.fromkeys(rows["arm"]))
    grid = functools.partial(_grid, x_axis=x_axis, y_axis=y_axis, order=order)
    tables = {a: grid(rows[rows["arm"] == a], value="mean_diff") for a in chosen}
    sure = {a: grid(rows[rows["arm"] == a], value="_sure") for a in chosen}
    percent = in_percent(metric, measures)
    what = measure_label(metric, measures)
    finite = np.concatenate([[0.0], *(t.to_numpy(dtype=float).ravel() for t in tables.values())])
    limit = float(np.nanmax(np.abs(finite))) or 1.0
    fig, axes = _panels(len(chosen))
    image = None
    base = str(rows["baseline"].iloc[0]) if not rows.empty else "baseline"
    for ax, name in zip(axes, chosen, strict=True):
        title = f"{name} − {base}"
        image = _cells(
            ax, tables[name], "PuOr_r", -limit, limit, percent, x_axis, y_axis, title, True
        )
        _bold_sure(ax, tables[name], sure[name])
    if image is not None:
        bar = fig.colorbar(image, ax=list(axes), shrink=0.9)
        bar.set_label(f"Difference in {what.lower()}", fontsize=FONT["label"])
        if percent:
            bar.formatter = FuncFormatter(lambda v, _: f"{100 * v:+.0f} pp" if v else "0")
            bar.update_ticks()
    fig.suptitle(
        f"{what}: paired difference from {base}\n(* and bold: 95 % CI excludes 0)",
        fontsize=FONT["title"],
    )
    return fig


FOREST_LABELLED = 60
"""Up to this many design points, a forest plot labels each row with its axis values."""
FOREST_ROWS = 400
"""More design points than this get no forest plot (the table ``contrasts.csv`` has them)."""


def forest_plot(
    contrasts: pd.DataFrame,
    metric: str = "poster",
    *,
    arms: Sequence[str] | None = None,
    point_labels: Mapping[int, str] | None = None,
    pooled: pd.DataFrame | None = None,
    measures: Mapping[str, Any] | None = None,
) -> Figure:
    """Forest plot of the paired difference ``arm − baseline`` of ``metric`` per design point.

    One row per design point (mean difference and its 95 % CI, one colour per arm against
    the baseline), and the pooled estimate over all points as a diamond at the bottom.
    ``contrasts`` comes from :func:`simulator.analysis.contrasts` (per design point),
    ``pooled`` from the same with ``pooled=True``. Up to :data:`FOREST_LABELLED` points each
    row is labelled with its axis values (``point_labels``) in design-point order; beyond
    that rows are sorted by the difference and labelled by point number. ``measures`` are
    the scenario's own outcomes' (``outcomes.attrs["measures"]``), for their labels and
    percentage points.

    >>> import pandas as pd
    >>> c = pd.DataFrame({"point": [0, 1], "arm": "b", "baseline": "a", "metric": "poster",
    ...     "mean_diff": [0.1, -0.05], "ci_low": [0.05, -0.1], "ci_high": [0.15, 0.0]})
    >>> fig = forest_plot(c, arms=["a", "b"], point_labels={0: "x = 1", 1: "x = 2"})
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['x = 1', 'x = 2']
    """
    rows = contrasts[(contrasts["metric"] == metric)].copy()
    rows = rows[np.isfinite(rows["mean_diff"].to_numpy(dtype=float))]
    arm_order = list(arms) if arms is not None else sorted(map(str, rows["arm"].unique()))
    colours = arm_colours(arm_order)
    shown = [a for a in arm_order if a in set(rows["arm"])]
    base = str(rows["baseline"].iloc[0]) if not rows.empty else (arm_order or ["baseline"])[0]
    points = sorted(int(p) for p in rows["point"].unique())
    labelled = len(points) <= FOREST_LABELLED
    if not labelled:  # sort by the first arm's difference: the spread is what shows
        first = rows[rows["arm"] == shown[0]].set_index("point")["mean_diff"]
        points = sorted(points, key=lambda p: float(first.get(p, np.nan)))
    position = {p: i for i, p in enumerate(points)}
    percent = in_percent(metric, measures)
    what = measure_label(metric, measures)
    scale = 100.0 if percent else 1.0
    height = (0.3 if labelled else 0.12) * len(points) + 2.2
    longest = max((len(v) for v in (point_labels or {}).values()), default=10) if labelled else 6
    width = min(7.5 + 0.075 * longest, 17.0)
    fig = Figure(figsize=(width, min(max(3.2, height), 60.0)), layout="constrained")
    ax = fig.subplots()
    spread = 0.6 / max(1, len(shown))
    for k, arm in enumerate(shown):
        part = rows[rows["arm"] == arm]
        offset = (k - (len(shown) - 1) / 2) * spread
        y = np.array([position[int(p)] for p in part["point"]], dtype=float) + offset
        mean = part["mean_diff"].to_numpy(dtype=float) * scale
        low = part["ci_low"].to_numpy(dtype=float) * scale
        high = part["ci_high"].to_numpy(dtype=float) * scale
        err = np.vstack([mean - low, high - mean])
        err = np.where(np.isfinite(err), err, 0.0)
        ax.errorbar(
            mean,
            y,
            xerr=err,
            fmt="o",
            color=colours[arm],
            ms=4 if labelled else 2.5,
            elinewidth=1.2 if labelled else 0.8,
            capsize=2 if labelled else 0,
            label=f"{arm} − {base}",
        )
    if labelled:
        ticks = [(point_labels or {}).get(p, f"point {p}") for p in points]
    else:  # about 40 labels, by point number
        every = max(1, len(points) // 40)
        ticks = [f"#{p}" if i % every == 0 else "" for i, p in enumerate(points)]
    where = [float(i) for i in range(len(points))]
    if pooled is not None and not pooled.empty:
        whole = pooled[pooled["metric"] == metric]
        yk0 = len(points) + 0.5
        for k, arm in enumerate(shown):
            r = whole[whole["arm"] == arm]
            if r.empty or not np.isfinite(float(r["mean_diff"].iloc[0])):
                continue
            m, lo, hi = (float(r[c].iloc[0]) * scale for c in ("mean_diff", "ci_low", "ci_high"))
            lo, hi = (lo, hi) if np.isfinite(lo) and np.isfinite(hi) else (m, m)
            yk = yk0 + (k - (len(shown) - 1) / 2) * spread
            half = min(0.3, spread / 2)
            ax.fill([lo, m, hi, m], [yk, yk - half, yk, yk + half], color=colours[arm])
        ticks.append("all points (pooled)")
        where.append(yk0)
        ax.axhline(len(points), color="#BBBBBB", lw=0.8)
    ax.set_yticks(where, ticks)
    ax.set_ylim(where[-1] + 0.7 if where else 0.7, -0.7)
    ax.axvline(0.0, color="black", lw=0.9)
    unit = " (percentage points)" if percent else ""
    ax.set_xlabel(f"Paired difference in {what.lower()}{unit}", fontsize=FONT["label"])
    ax.tick_params(labelsize=FONT["tick"] if labelled else FONT["tick"] - 2)
    ax.grid(True, axis="x", color="#DDDDDD", lw=0.7)
    order = "" if labelled else ", sorted by the difference"
    who = f"{shown[0]} − {base}" if len(shown) == 1 else f"each arm − {base}"
    ax.set_title(
        f"{what}: {who}\nmean and 95 % CI per design point{order}",
        fontsize=FONT["title"],
    )
    if shown:
        ax.legend(loc="best", fontsize=FONT["legend"], frameon=False)
    return fig


def level_adoption(levels: pd.DataFrame, *, arms: Sequence[str] | None = None) -> Figure:
    """Final share posting by hierarchy level (0 = top), per arm: mean and 95 % CI over runs.

    All design points' runs are pooled (the title says how many points). The legend of the
    arms is under the panel, clear of every whisker.
    """
    arms = _arm_list(levels, arms)
    colours = arm_colours(arms)
    last = levels.groupby(["point", "arm", "replication"])["step"].transform("max")
    final = levels[levels["step"] == last]
    group = final.groupby(["arm", "level"])["poster"]
    table = pd.DataFrame({"mean": group.mean(), "sd": group.std(ddof=1), "n": group.count()})
    half = t95(table["n"] - 1) * table["sd"] / np.sqrt(table["n"])
    table["half"] = half.where(table["n"] > 1, 0.0).fillna(0.0)
    low = (table["mean"] - table["half"]).clip(0.0, 1.0)  # shares: CI clipped to [0, 1]
    high = (table["mean"] + table["half"]).clip(0.0, 1.0)
    table["below"], table["above"] = table["mean"] - low, high - table["mean"]
    fig = Figure(figsize=(7.6, 4.8), layout="constrained")
    ax = fig.subplots()
    present = [a for a in arms if a in table.index.get_level_values("arm")]
    for k, arm in enumerate(present):
        part = table.loc[arm]
        x = part.index.to_numpy(dtype=float) + 0.09 * (k - (len(present) - 1) / 2)
        ax.errorbar(
            x,
            part["mean"],
            yerr=[part["below"], part["above"]],
            fmt="o-",
            color=colours[arm],
            lw=2.2,
            ms=6,
            capsize=4,
            label=arm,
        )
    levels_seen = sorted(final["level"].unique())
    people = final.groupby("level")["people"].agg(["min", "max"])
    ticks = []
    for level in levels_seen:
        name = {0: "top", levels_seen[-1]: "front line"}.get(int(level), "")
        size = people.loc[level]
        count = f"{int(size['min']):,}" if size["min"] == size["max"] else "varies"
        ticks.append(f"{level} {name}\n({count})".replace(" \n", "\n"))
    ax.set_xticks(levels_seen, ticks)
    runs = int(table["n"].max()) if not table.empty else 0
    points = final["point"].nunique()
    where = f", pooled over {points} design points" if points > 1 else ""
    _finish(ax, f"Final share posting by level{where}", "Level (people)", "Share posting", True)
    ax.set_ylim(bottom=0)
    # under the panel, not in it: matplotlib's "best" place avoids the lines' points but
    # not the whiskers between them, and put the legend over one
    _legend(fig, present, colours, f"point and bar: mean and 95 % CI of up to {runs} runs")
    return fig


def sensitivity_bars(
    table: pd.DataFrame,
    *,
    arms: Sequence[str] | None = None,
    metrics: Sequence[str] | None = None,
    measures: Mapping[str, Any] | None = None,
) -> Figure:
    """Sobol indices (S1 solid inside ST light), Morris mu* or given-data (RBD-FAST) S1 per
    parameter, with 95 % CIs.

    ``table`` comes from :func:`simulator.sensitivity.sensitivity`; one panel per metric (the
    first six unless ``metrics`` is given), bars grouped by parameter, one colour per arm;
    ``measures`` names the scenario's own outcomes (the outcomes' ``attrs["measures"]``).
    """
    rows = table[~table["parameter"].astype(str).str.contains(" × ")]
    method = str(rows["method"].iloc[0])
    arms = _arm_list(rows, arms)
    colours = arm_colours(arms)
    metrics = list(metrics or list(dict.fromkeys(rows["metric"]))[:6])
    params = list(dict.fromkeys(rows["parameter"]))
    present = [a for a in arms if a in set(rows["arm"])]
    ncol = min(3, len(metrics))
    nrow = math.ceil(len(metrics) / ncol)
    height = max(2.6, 0.55 * len(params) * max(1, len(present)) + 1.2)
    fig = Figure(figsize=(4.9 * ncol + 1.4, height * nrow + 1.0), layout="constrained")
    grid = fig.subplots(nrow, ncol, squeeze=False, sharey=True)
    width = 0.8 / max(1, len(present))
    y = np.arange(len(params))
    clipped = False
    # how far noise alone reaches, and the index of the solid bar (Sobol draws its own)
    floor = {"sobol": "noise", "rbd_fast": "S1_noise"}.get(method, "mu_star_noise")
    value = "mu_star" if method == "morris" else "S1"
    noisy = "within_noise" in rows and floor in rows
    for ax, metric in zip(grid.ravel(), metrics, strict=False):
        for k, arm in enumerate(present):
            part = rows[(rows["metric"] == metric) & (rows["arm"] == arm)].set_index("parameter")
            part = part.reindex(params)
            pos = y - 0.4 + width * (k + 0.5)
            c = colours[arm]
            # a parameter that noise alone could explain is hatched, not solid: an index
            # whose interval excludes 0 read as an effect where there was none
            within = (
                part["within_noise"].fillna(False).to_numpy(bool)
                if noisy
                else np.zeros(len(pos), dtype=bool)
            )
            if method == "sobol":
                total = ax.barh(
                    pos,
                    part["ST"],
                    width * 0.95,
                    xerr=part["ST_conf"],
                    color=c,
                    alpha=0.3,
                    error_kw={"ecolor": c, "alpha": 0.6, "capsize": 3},
                )
                _hatch(total, within, edgecolor=c)  # (judged on ST: seen where S1 is near 0)
                solid = ax.barh(
                    pos,
                    part["S1"],
                    width * 0.5,
                    xerr=part["S1_conf"],
                    color=c,
                    error_kw={"ecolor": "black", "capsize": 2},
                )
            else:
                solid = ax.barh(
                    pos,
                    part[value],
                    width * 0.9,
                    xerr=part[f"{value}_conf"],
                    color=c,
                    error_kw={"ecolor": "black", "capsize": 3},
                )
            _hatch(solid, within, facecolor="white", edgecolor=c, linewidth=0.8)
            if noisy:  # bar by bar
                ax.vlines(
                    part[floor],
                    pos - width / 2,
                    pos + width / 2,
                    colors="black",
                    lw=1.6,
                    ls=":",
                    gid="noise",
                )
        xlabel = {"sobol": "Sobol index", "rbd_fast": "first-order index S1 (given data)"}.get(
            method, "μ* (mean |elementary effect|)"
        )
        _finish(ax, measure_label(metric, measures), xlabel, "", False)
        ax.axvline(0.0, color="black", lw=0.8)
        ax.set_yticks(y, params)  # after _finish, which formats y as numbers
        ax.set_ylim(len(params) - 0.5, -0.5)  # first parameter on top
        if method != "morris":
            clipped |= _sobol_limits(ax)
        ax.grid(True, axis="x", color="#DDDDDD", lw=0.7)
        ax.grid(False, axis="y")
    for ax in grid.ravel()[len(metrics) :]:
        ax.set_visible(False)
    note = "whiskers: 95 % CI"
    if method == "sobol":
        note = "solid: first-order S1, light: total ST; " + note
    if method == "rbd_fast":
        note += " (SALib's, from resamples of half the points: wide)"
    note += " (clipped to the scale -0.25 to 1.25)" if clipped else ""
    if noisy:
        alone = "what replication noise alone gives"
        if method == "rbd_fast":
            alone = "the S1 that no parameter with no effect passes in 95 % of designs"
        note += f"; dotted: {alone}; hatched: within noise (cannot be told from no effect)"
    _legend(fig, present, colours, note)
    titles = {"sobol": "Sobol sensitivity indices", "rbd_fast": "Given-data sensitivity (RBD-FAST)"}
    title = titles.get(method, "Morris screening")
    fig.suptitle(title, fontsize=FONT["title"] + 1)
    return fig


# -- helpers ---------------------------------------------------------------------------------
def _hatch(bars: Any, which: np.ndarray, **style: Any) -> None:
    """Hatch the ``which`` of ``bars`` (those within replication noise), in ``style``."""
    for bar, hatched in zip(bars, which, strict=True):
        if hatched:
            bar.set(hatch="////", **style)


def _sobol_limits(ax: Axes) -> bool:
    """Keep the index scale readable: at least 0-1, at most -0.25-1.25; True if clipped."""
    low, high = ax.get_xlim()
    ax.set_xlim(max(min(low, -0.05), -0.25), min(max(high, 1.05), 1.25))
    return low < -0.25 or high > 1.25


def _panel_title(point: int | None, labels: Mapping[int, str] | None, panels: int) -> str:
    if point is None:
        return ""
    if labels and point in labels:
        return labels[point]
    return f"Design point {point}" if panels > 1 else ""


def _is_number(values: pd.Series) -> bool:
    """Whether an axis is drawn on a number scale (numbers; not true/false, not text)."""
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _whole(values: Sequence[object]) -> bool:
    """Whether numbers are whole (a count such as ``leaders.levels``, stored as 2 or 2.0).

    >>> _whole([1, 2.0, 4]), _whole([0.5, 1])
    (True, False)
    """
    return all(float(v).is_integer() for v in values)  # type: ignore[arg-type]


def _ordered(values: pd.Series, listed: Sequence[object] | None = None) -> list[object]:
    """Distinct values: numbers ascending; text and true/false in the order ``listed`` (the
    scenario's, :func:`axis_order`), any not listed after them in order of appearance.

    >>> policy = pd.Series(["neutral", "restrictive", "open", "neutral", "other"])
    >>> _ordered(policy, ["open", "neutral", "restrictive"]), _ordered(policy)
    (['open', 'neutral', 'restrictive', 'other'], ['neutral', 'restrictive', 'open', 'other'])
    >>> [bool(v) for v in _ordered(pd.Series([False, True, False]), [True, False])]
    [True, False]
    """
    distinct = list(pd.unique(values.dropna()))
    if _is_number(values):
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


def _marginal(part: pd.DataFrame, key: pd.Series, axis: str) -> pd.DataFrame:
    """Per value (or bin) of ``key``: x, mean and band of the points' means."""
    out = []
    for _, group in part.groupby(key, observed=True, sort=True):
        k = len(group)
        if k == 1:
            row = group.iloc[0]
            lo, hi = row["ci_low"], row["ci_high"]
            mean = float(row["mean"])
        else:  # the spread of the design points, not a CI
            mean = float(group["mean"].mean())
            lo, hi = group["mean"].quantile(BAND[0]), group["mean"].quantile(BAND[1])
        x = group[axis].mean() if _is_number(group[axis]) else group[axis].iloc[0]
        out.append({"x": x, "mean": mean, "lo": lo, "hi": hi, "points": k})
    table = pd.DataFrame(out, columns=["x", "mean", "lo", "hi", "points"])
    table[["lo", "hi"]] = table[["lo", "hi"]].astype(float)
    return table


def _grid(
    rows: pd.DataFrame,
    x_axis: str,
    y_axis: str,
    value: str,
    order: Mapping[str, Sequence[object]] | None = None,
) -> pd.DataFrame:
    """``value`` over the two axes: a row per value of ``y_axis``, a column per value of
    ``x_axis``, each in :func:`_ordered`'s order (``order``: the scenario's)."""
    if value == "_sure":
        rows = rows.assign(_sure=((rows["ci_low"] > 0) | (rows["ci_high"] < 0)).astype(float))
    table = rows.pivot_table(index=y_axis, columns=x_axis, values=value, aggfunc="mean")
    listed = order or {}
    return table.reindex(
        index=_ordered(rows[y_axis], listed.get(y_axis)),
        columns=_ordered(rows[x_axis], listed.get(x_axis)),
    )


def _panels(count: int) -> tuple[Figure, list[Axes]]:
    count = max(1, count)
    fig = Figure(figsize=(5.2 * count + 1.4, 4.9), layout="constrained")
    return fig, list(fig.subplots(1, count, squeeze=False, sharey=True)[0])


def _cells(
    ax: Axes,
    table: pd.DataFrame,
    cmap: str,
    vmin: float,
    vmax: float,
    percent: bool,
    x_axis: str,
    y_axis: str,
    title: str,
    signed: bool = False,
) -> AxesImage:
    data = table.to_numpy(dtype=float)
    image = ax.imshow(data, origin="lower", aspect="auto", cmap=cmap, vmin=vmin, vmax=vmax)
    ax.set_xticks(range(table.shape[1]), [_fmt_tick(v) for v in table.columns], rotation=0)
    ax.set_yticks(range(table.shape[0]), [_fmt_tick(v) for v in table.index])
    ax.set_xlabel(x_axis, fontsize=FONT["label"])
    ax.set_ylabel(y_axis, fontsize=FONT["label"])
    ax.set_title(title, fontsize=FONT["title"])
    ax.tick_params(labelsize=FONT["tick"])
    if data.size <= MAX_CELLS_ANNOTATED:
        norm = image.norm
        for (i, j), v in np.ndenumerate(data):
            if np.isfinite(v):
                shade = image.cmap(norm(v))
                light = 0.299 * shade[0] + 0.587 * shade[1] + 0.114 * shade[2] < 0.5
                ax.text(
                    j,
                    i,
                    _fmt_value(v, percent, signed),
                    ha="center",
                    va="center",
                    fontsize=FONT["legend"],
                    color="white" if light else "black",
                )
    return image


def _bold_sure(ax: Axes, values: pd.DataFrame, sure: pd.DataFrame) -> None:
    """Mark cells whose paired difference's CI excludes zero."""
    if values.size > MAX_CELLS_ANNOTATED:
        return
    marks = sure.reindex(index=values.index, columns=values.columns).to_numpy(dtype=float)
    for text in ax.texts:
        j, i = (round(c) for c in text.get_position())
        if marks[i, j] > 0:
            text.set_fontweight("bold")
            text.set_text(text.get_text() + "*")


PANEL_MARGIN = 1.0
"""Inches of a panel's slot taken by its y label and ticks (the rest is for its title)."""


def _room(ax: Axes) -> float:
    """Points of width for the title of ``ax``: its column of the figure's grid, less
    :data:`PANEL_MARGIN`."""
    fig = ax.get_figure(root=True)
    spec = ax.get_subplotspec()
    if fig is None or spec is None:
        return math.inf
    grid = spec.get_gridspec()
    columns = spec.colspan.stop - spec.colspan.start
    return 72 * (fig.get_figwidth() * columns / grid.ncols - PANEL_MARGIN)


def _fitted(title: str, width: float, lines: int = 3) -> tuple[str, float]:
    """``title`` wrapped to ``width`` points, and its font size.

    Lines break between a design point's values (``a = 1, b = 2``), within one value only
    when it is wider than a line; a smaller font only when the title font needs more than
    ``lines`` lines, and an ellipsis when that one does too. A title wider than its panel
    runs into the next one, or off the figure.

    >>> _fitted("culture.openness = 0.5, delegation.followed = False", 250.0)
    ('culture.openness = 0.5,\\ndelegation.followed = False', 13)
    >>> _fitted("x = 1", 250.0)
    ('x = 1', 13)
    """
    for size in (FONT["title"], FONT["tick"]):
        wrapped = _wrap(title, width, size)
        if len(wrapped) <= lines:
            return "\n".join(wrapped), size
    last = wrapped[lines - 1]
    keep = _longest(len(last), lambda k: _text_width(last[:k] + "…", size) <= width)
    return "\n".join([*wrapped[: lines - 1], last[:keep] + "…"]), size


def _categories(values: Sequence[object], lines: int = 3) -> list[str]:
    """Tick labels of categorical values, wrapped to share the axis's width (at most
    ``lines`` lines each, shortened with an ellipsis): a swept list such as
    ``leaders.rules`` is long text."""
    width = max(10, 64 // max(len(values), 1))
    labels = []
    for value in values:
        wrapped = textwrap.wrap(str(value), width) or [""]
        if len(wrapped) > lines:
            wrapped = [*wrapped[: lines - 1], wrapped[lines - 1][: width - 1] + "…"]
        labels.append("\n".join(wrapped))
    return labels


def _fmt_tick(value: object) -> str:
    """A swept value as a tick label: 0.3, 2 (not 2.0), True, restrictive."""
    if isinstance(value, (float, np.floating)):
        return f"{value:.3g}"
    return str(value)


def _fmt_value(value: float, percent: bool, signed: bool = False) -> str:
    """A cell's value: a share as a percentage (``percent``; a difference in points)."""
    sign = "+" if signed and value > 0 else ""
    if percent:
        text = f"{sign}{100 * value:.0f}" if abs(value) >= 0.005 else "0"
        return text + (" pp" if signed else "%")
    return f"{sign}{value:.3g}"


__all__ = [
    "arm_curves",
    "difference_heatmap",
    "forest_plot",
    "heatmap",
    "level_adoption",
    "outcome_vs_parameter",
    "sensitivity_bars",
]
