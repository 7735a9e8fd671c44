"""The figures' look and the pieces every panel shares: fonts, the band, axis labels, the
median line with its band, a panel's finish, and the check of the table a figure is given.

Figures are built on :class:`matplotlib.figure.Figure` directly (not ``pyplot``), so they
work under any backend and are freed with their last reference; importing this module lets
them show in a Jupyter notebook (:func:`_shown_in_notebooks`). With several replications a
line is the median over replications and the band spans the 10th to 90th percentile
(:data:`BAND`).

Examples
--------
>>> import pandas as pd
>>> runs = pd.DataFrame({"step": [0, 1, 0, 1], "poster": [0.0, 0.25, 0.0, 0.75]})
>>> fig, ax = figure_and_axes(None, (4.0, 3.0))
>>> band_line(ax, runs, "poster", "#D55E00", "Posters", band=True)
>>> ax.lines[0].get_ydata().tolist()  # the median by week
[0.0, 0.5]
"""

from __future__ import annotations

import os
import sys
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from simulator.measures import MEASURES, label

BAND: tuple[float, float] = (0.1, 0.9)
"""The quantiles a band spans across replications (or design points)."""
FONT = {"title": 13, "label": 11, "tick": 10, "legend": 9.5}
"""Font sizes in points, by the text's role."""
METRIC_LABELS: dict[str, str] = {name: m.label for name, m in MEASURES.items()}
"""Axis labels of the outcomes and series (:data:`simulator.measures.MEASURES`)."""


def save(fig: Figure, path: str | os.PathLike[str], *, dpi: int = 150) -> None:
    """Write ``fig`` to ``path`` (format from the extension, e.g. ``.png`` or ``.pdf``)."""
    fig.savefig(path, dpi=dpi, facecolor="white")


def figure_and_axes(ax: Axes | None, size: tuple[float, float]) -> tuple[Figure, Axes]:
    """Where to draw: ``ax`` and its figure, or a new figure of ``size`` inches."""
    if ax is None:
        fig = Figure(figsize=size, layout="constrained")
        return fig, fig.subplots()
    parent: Any = ax.get_figure(root=True)
    return parent, ax


def band_line(
    ax: Axes, frame: pd.DataFrame, column: str, colour: str, label: str, band: bool
) -> None:
    """Median of ``column`` by step, with the 10-90 % band across replications if ``band``."""
    by_step = frame.groupby("step")[column]
    steps = np.asarray(sorted(frame["step"].unique()))
    if band:
        lo = by_step.quantile(BAND[0]).to_numpy()
        hi = by_step.quantile(BAND[1]).to_numpy()
        ax.fill_between(steps, lo, hi, color=colour, alpha=0.22, lw=0)
    ax.plot(steps, by_step.median().to_numpy(), color=colour, lw=2.2, label=label)


def style_weekly(ax: Axes, title: str, ylabel: str) -> None:
    """Finish a panel of shares by week: whole weeks, percentages, a light grid."""
    ax.set_title(title, fontsize=FONT["title"])
    ax.set_xlabel("Week", fontsize=FONT["label"])
    ax.set_ylabel(ylabel, fontsize=FONT["label"])
    ax.tick_params(labelsize=FONT["tick"])
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(True, color="#DDDDDD", lw=0.7)
    ax.set_axisbelow(True)
    ax.margins(x=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def finish_panel(ax: Axes, title: str, xlabel: str, ylabel: str, percent: bool) -> None:
    """Title, labels and a light grid; the y axis in percent (``percent``) or in numbers
    with thousands separated."""
    ax.set_title(title, fontsize=FONT["title"])
    ax.set_xlabel(xlabel, fontsize=FONT["label"])
    ax.set_ylabel(ylabel, fontsize=FONT["label"])
    ax.tick_params(labelsize=FONT["tick"])
    if percent:
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=None))
    else:
        ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
    ax.grid(True, color="#DDDDDD", lw=0.7)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _thousands(value: float, _pos: object = None) -> str:
    """A tick's number: ``12,000``, ``0.5``.

    >>> _thousands(12000.0), _thousands(0.5)
    ('12,000', '0.5')
    """
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:g}"


def require_table(function: str, table: Any, source: str, columns: list[str]) -> None:
    """Refuse, naming what was passed, anything but the table ``function`` draws (the levels
    table, a row per level, is refused where the series are drawn)."""
    missing = [c for c in columns if c not in table] if isinstance(table, pd.DataFrame) else []
    levels = isinstance(table, pd.DataFrame) and "level" in table and "level" not in columns
    if not isinstance(table, pd.DataFrame) or missing or levels:
        lacks = f" (it lacks {', '.join(map(repr, missing))})" if missing else ""
        lacks = " (a row per level: model.levels())" if levels else lacks
        raise TypeError(
            f"{function} draws the table of {source}, with columns"
            f" {', '.join(map(repr, columns))}; got {described(table)}{lacks}"
        )


def described(value: Any) -> str:
    """What was passed instead, in a few words: ``a table with columns 'step', 'level', ...``."""
    if isinstance(value, pd.DataFrame):
        columns = ", ".join(map(repr, list(value.columns)[:4]))
        return f"a table with columns {columns}{', ...' if len(value.columns) > 4 else ''}"
    from simulator.errors import a_type

    return a_type(value)


def _shown_in_notebooks() -> None:
    """In a Jupyter kernel, let a figure show as a cell's value or through ``display``.

    Jupyter draws a :class:`Figure` with a formatter that matplotlib-inline registers only once
    ``pyplot`` has been used, so in a notebook that never touched ``pyplot`` a figure from here
    printed ``<Figure size 600x430 with 1 Axes>``. This registers PNG when no image formatter
    knows figures yet; a user's own choice (``%matplotlib``, ``InlineBackend``) is left as it is.
    """
    ipython = sys.modules.get("IPython")  # never imported here: only if a shell runs us
    shell = ipython.get_ipython() if ipython is not None else None
    formatters = getattr(getattr(shell, "display_formatter", None), "formatters", None)
    if not formatters:
        return
    for formatter in formatters.values():
        try:
            formatter.lookup_by_type(Figure)
            return
        except KeyError:
            continue
    try:
        from matplotlib_inline.backend_inline import select_figure_formats
    except ImportError:  # ipykernel brings it; another shell may not have it
        return
    select_figure_formats(shell, {"png"})


_shown_in_notebooks()


__all__ = [
    "BAND",
    "FONT",
    "METRIC_LABELS",
    "band_line",
    "described",
    "figure_and_axes",
    "finish_panel",
    "label",
    "require_table",
    "save",
    "style_weekly",
]
