"""Heatmaps of a two-axis grid: an outcome's mean per cell, one panel per arm on one colour
scale (:func:`heatmap`), or the paired difference from the baseline on a diverging scale
centred on zero, the cells whose 95 % interval excludes zero in bold (:func:`difference_heatmap`).

Examples
--------
>>> import pandas as pd
>>> summary = pd.DataFrame({"x": [1, 2, 1, 2], "y": ["a", "a", "b", "b"], "arm": "m",
...     "metric": "poster", "mean": [0.1, 0.2, 0.3, 0.4]})
>>> [t.get_text() for t in heatmap(summary, "x", "y", "poster").axes[0].texts]
['10%', '20%', '30%', '40%']
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.ticker import FuncFormatter, PercentFormatter

from simulator.measures import in_percent
from simulator.measures import label as measure_label
from simulator.plots_style import FONT
from simulator.plots_values import arm_order, ordered_values, tick_label

MAX_CELLS_ANNOTATED = 144


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
    values are in the order of ``order`` (:func:`simulator.results.axis_order`; default: the
    order they first appear); ``measures`` are the scenario's own outcomes'
    (``outcomes.attrs``), for their labels and percentages.
    """
    rows = summary[summary["metric"] == metric]
    chosen = [arm] if arm is not None else arm_order(rows, arms)
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


def _grid(
    rows: pd.DataFrame,
    x_axis: str,
    y_axis: str,
    value: str,
    order: Mapping[str, Sequence[object]] | None = None,
) -> pd.DataFrame:
    """``value`` over the two axes: a row per value of ``y_axis``, a column per value of
    ``x_axis``, each in :func:`simulator.plots_values.ordered_values`'s order (``order``: the
    scenario's)."""
    if value == "_sure":
        rows = rows.assign(_sure=((rows["ci_low"] > 0) | (rows["ci_high"] < 0)).astype(float))
    table = rows.pivot_table(index=y_axis, columns=x_axis, values=value, aggfunc="mean")
    listed = order or {}
    return table.reindex(
        index=ordered_values(rows[y_axis], listed.get(y_axis)),
        columns=ordered_values(rows[x_axis], listed.get(x_axis)),
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
    ax.set_xticks(range(table.shape[1]), [tick_label(v) for v in table.columns], rotation=0)
    ax.set_yticks(range(table.shape[0]), [tick_label(v) for v in table.index])
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


def _fmt_value(value: float, percent: bool, signed: bool = False) -> str:
    """A cell's value: a share as a percentage (``percent``; a difference in points)."""
    sign = "+" if signed and value > 0 else ""
    if percent:
        text = f"{sign}{100 * value:.0f}" if abs(value) >= 0.005 else "0"
        return text + (" pp" if signed else "%")
    return f"{sign}{value:.3g}"


__all__ = ["MAX_CELLS_ANNOTATED", "difference_heatmap", "heatmap"]
