"""An outcome against a swept parameter: per arm, its mean and 95 % confidence band over
runs, or (several design points per value: other axes swept, or bins of a sampled design)
the mean of the point means and the 10-90 % band of those.

Numbers are drawn on a number scale (a log scale for axes swept on one), text and
true/false values as categories in the scenario's order.
"""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullFormatter

from simulator.measures import in_percent
from simulator.measures import kind as measure_kind
from simulator.measures import label as measure_label
from simulator.plots_colours import arm_colours
from simulator.plots_style import BAND, FONT, finish_panel
from simulator.plots_text import fitted_title, panel_room, wrap
from simulator.plots_values import arm_order, is_number, ordered_values


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
        figures with one legend for several panels, see
        :func:`simulator.plots_text.arm_legend`).
    log : bool
        A logarithmic x axis (for axes swept on a log scale).
    order : mapping of str to sequence, optional
        The values of each swept parameter in the scenario's order
        (:func:`simulator.results.axis_order`): text and true/false values of ``axis`` are
        drawn in it (default: the order they first appear).
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
    arms = arm_order(rows if not rows.empty else summary, arms)
    colours = arm_colours(arms)
    if ax is None:
        fig = Figure(figsize=(7.2, 4.8), layout="constrained")
        ax = fig.subplots()
    else:
        fig = ax.get_figure(root=True)  # type: ignore[assignment]
    # true/false is two categories, not the numbers 0 and 1: drawn as strings are
    numeric = is_number(rows[axis]) if not rows.empty else True
    binned = numeric and rows[axis].nunique() > 12
    values = ordered_values(rows[axis], (order or {}).get(axis))
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
    title, size = fitted_title(f"{name_of(metric)} vs {axis}", panel_room(ax))
    finish_panel(ax, title, axis, name_of(metric), percent)
    ax.title.set_fontsize(size)
    if metric == "took_off":
        ax.set_ylim(-0.03, 1.03)
    if legend:
        ax.legend(fontsize=FONT["legend"], title=note, title_fontsize=FONT["legend"], frameon=False)
    else:  # the note under the title, wrapped to the panel (it reached the figure's edge)
        small = FONT["legend"] - 0.5
        lines = wrap(note, panel_room(ax), small)
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


def _whole(values: Sequence[object]) -> bool:
    """Whether numbers are whole (a count such as ``leaders.levels``, stored as 2 or 2.0).

    >>> _whole([1, 2.0, 4]), _whole([0.5, 1])
    (True, False)
    """
    return all(float(v).is_integer() for v in values)  # type: ignore[arg-type]


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
        x = group[axis].mean() if is_number(group[axis]) else group[axis].iloc[0]
        out.append({"x": x, "mean": mean, "lo": lo, "hi": hi, "points": k})
    table = pd.DataFrame(out, columns=["x", "mean", "lo", "hi", "points"])
    table[["lo", "hi"]] = table[["lo", "hi"]].astype(float)
    return table


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


__all__ = ["outcome_vs_parameter"]
