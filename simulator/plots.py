"""Figures of runs and comparisons: results in, :class:`~matplotlib.figure.Figure` out.

Nothing here reads or writes files except :func:`save`. Figures are built on
:class:`matplotlib.figure.Figure` directly (not ``pyplot``), so they work under any backend
and are freed with their last reference. Each stage has one colour everywhere, from the
colour-blind-safe Okabe-Ito palette: non-users grey, listeners blue, posters vermillion.
With several replications a line is the median over replications and the band spans the
10th to 90th percentile. The arms of a scenario have one colour each, in every figure
(:func:`arm_colours`); the figures of sweeps are in :mod:`simulator.sweep_plots`.

This module draws a run (:func:`adoption_curves`, :func:`run_figure`) and a comparison of
arms (:func:`compare_figure`); the rest is in modules of their own, each public name
importable from here too:

- :mod:`simulator.plots_colours`: the stages' and the arms' colours;
- :mod:`simulator.plots_style`: fonts, the band, axis labels, :func:`save`, the pieces every
  panel shares;
- :mod:`simulator.plots_text`: text fitted to a figure, the legend of the arms;
- :mod:`simulator.plots_levels`: adoption by hierarchy level;
- :mod:`simulator.plots_orgchart`: an organisation drawn as a tree.

Examples
--------
>>> from simulator import OrgModel, Params
>>> model = OrgModel(Params().with_updates({"org.size": 100, "steps": 5}), rng=1).run()
>>> fig = run_figure(model.series(), model.levels(), "100 people")
>>> len(fig.axes)
2
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from simulator.analysis import SHARES as SHARES  # (the figures' shares, one list)
from simulator.plots_colours import (
    ARM_PALETTE,
    DIFFERENCE_COLOUR,
    STAGE_COLOURS,
    STAGE_LABELS,
    STAGES,
    STRATEGY_COLOURS,
    arm_colours,
)
from simulator.plots_levels import MAX_LEVEL_LEGEND, level_panel
from simulator.plots_orgchart import org_chart
from simulator.plots_style import (
    BAND,
    FONT,
    METRIC_LABELS,
    band_line,
    described,
    figure_and_axes,
    label,
    require_table,
    save,
    style_weekly,
)
from simulator.plots_text import LEGEND_HANDLE, LEGEND_MARGIN, arm_legend

__all__ = [  # (what was this module's before its parts had modules of their own)
    "ARM_PALETTE",
    "BAND",
    "DIFFERENCE_COLOUR",
    "FONT",
    "LEGEND_HANDLE",
    "LEGEND_MARGIN",
    "MAX_LEVEL_LEGEND",
    "METRIC_LABELS",
    "SHARES",
    "STAGES",
    "STAGE_COLOURS",
    "STAGE_LABELS",
    "STRATEGY_COLOURS",
    "adoption_curves",
    "arm_colours",
    "arm_legend",
    "compare_figure",
    "label",
    "level_panel",
    "org_chart",
    "poster_difference",
    "run_figure",
    "save",
]


def adoption_curves(series: pd.DataFrame, *, title: str = "", ax: Axes | None = None) -> Figure:
    """Shares of non-users, listeners and posters against the week.

    Parameters
    ----------
    series : DataFrame
        Tidy per-step table (:meth:`simulator.model.OrgModel.series`) with columns ``step``,
        ``replication`` and the stage shares; several replications give a median and a band.
    title : str
        Panel title.
    ax : Axes, optional
        Where to draw; a new figure otherwise.
    """
    require_table("adoption_curves", series, "model.series()", ["step", *STAGES])
    reps = _replications(series)
    fig, ax = figure_and_axes(ax, (6.0, 4.3))
    for stage in STAGES:
        band_line(ax, series, stage, STAGE_COLOURS[stage], STAGE_LABELS[stage], reps > 1)
    style_weekly(ax, title or "Adoption", "Share of people")
    ax.set_ylim(0, 1)
    ax.legend(
        loc="best",
        fontsize=FONT["legend"],
        title=_band_note(reps),
        title_fontsize=FONT["legend"],
        frameon=False,
    )
    return fig


def run_figure(series: pd.DataFrame, levels: pd.DataFrame, title: str) -> Figure:
    """:func:`adoption_curves` and :func:`level_panel` side by side, under ``title``:
    ``series`` is the shares per week (``model.series()``), ``levels`` the posters by level
    (``model.levels()``)."""
    for name, table, column, source in (
        ("series", series, "poster", "model.series()"),
        ("levels", levels, "level", "model.levels()"),
    ):
        if not isinstance(table, pd.DataFrame) or column not in table:
            raise ValueError(
                f"run_figure(series, levels, title): {name} is the table of {source} (with a"
                f" {column!r} column); got {described(table)}"
            )
    fig = Figure(figsize=(12.0, 4.6), layout="constrained")
    left, right = fig.subplots(1, 2)
    adoption_curves(series, title="All people", ax=left)
    level_panel(levels, ax=right)
    fig.suptitle(title, fontsize=FONT["title"] + 1)
    return fig


def poster_difference(first: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    """Per-step, per-replication difference in poster share, ``second - first``.

    Replications are paired by their number (the same seed in both arms).

    Returns
    -------
    DataFrame
        Columns ``step``, ``replication`` and ``diff``.
    """
    keys = ["step", "replication"]
    for frame in (first, second):
        require_table("poster_difference", frame, "model.series()", ["step", "poster"])
        _replications(frame)
        if "replication" not in frame:
            raise ValueError("poster_difference pairs runs by their 'replication' column")
    both = first[[*keys, "poster"]].merge(second[[*keys, "poster"]], on=keys, suffixes=("_a", "_b"))
    both["diff"] = both["poster_b"] - both["poster_a"]
    return both[[*keys, "diff"]]


def compare_figure(
    series_by_arm: dict[str, pd.DataFrame], paired: pd.DataFrame | None = None
) -> Figure:
    """Stage shares of each arm side by side, and the paired poster-share difference.

    Parameters
    ----------
    series_by_arm : dict of str to DataFrame
        Per-step series of each arm (as for :func:`adoption_curves`), in arm order.
    paired : DataFrame, optional
        Per-step, per-replication poster-share difference between the second and the first
        arm (columns ``step``, ``replication``, ``diff``, see :func:`poster_difference`);
        computed from ``series_by_arm`` when omitted.

    Returns
    -------
    Figure
        One panel per arm with a shared y axis, then (with two arms or more) a panel of the
        difference: its median over replications and the 10-90 % band.
    """
    if not isinstance(series_by_arm, Mapping):
        raise TypeError(
            "compare_figure takes the arms' series by name, e.g. {'model': s1, 'delegate': s2};"
            f" got {described(series_by_arm)}"
        )
    arms = list(series_by_arm)
    if not arms:
        raise ValueError("compare_figure needs at least one arm")
    if paired is None and len(arms) >= 2:
        paired = poster_difference(series_by_arm[arms[0]], series_by_arm[arms[1]])
    panels = len(arms) + (paired is not None)
    fig = Figure(figsize=(min(4.4 * panels + 0.6, 24.0), 4.6), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, panels, squeeze=False)[0])
    for i, arm in enumerate(arms):
        ax = axes[i]
        adoption_curves(series_by_arm[arm], title=arm, ax=ax)
        if i:
            ax.sharey(axes[0])
            ax.set_ylabel("")
            ax.tick_params(labelleft=False)
            legend = ax.get_legend()
            if legend is not None:
                legend.remove()
    if paired is not None:
        ax = axes[-1]
        reps = paired["replication"].nunique()
        paired = paired.rename(columns={"diff": "poster"})
        band_line(ax, paired, "poster", DIFFERENCE_COLOUR, "Median difference", reps > 1)
        ax.axhline(0.0, color="black", lw=0.8, ls="--")
        style_weekly(ax, f"Posters: {arms[1]} − {arms[0]}", "Difference in poster share")
        # a difference of under a point read "0%" at every tick: as many decimals as needed
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=None))
        ax.legend(
            loc="best",
            fontsize=FONT["legend"],
            title=f"paired by seed, {_band_note(reps)}",
            title_fontsize=FONT["legend"],
            frameon=False,
        )
    return fig


def _replications(series: pd.DataFrame) -> int:
    """The runs in a series table; ``ValueError`` if a week repeats within one (several runs
    stacked without telling them apart would be drawn as one)."""
    keys = ["replication", "step"] if "replication" in series else ["step"]
    repeated = series.duplicated(keys)
    if repeated.any():
        week = series.loc[repeated, "step"].iloc[0]
        where = (
            ""
            if len(keys) == 1
            else f" of replication {series.loc[repeated, 'replication'].iloc[0]}"
        )
        raise ValueError(
            f"week {week}{where} appears more than once: several runs stacked without telling"
            " them apart; number them, e.g. pd.concat(r.series().assign(replication=i)"
            " for i, r in enumerate(runs))"
        )
    return int(series["replication"].nunique()) if "replication" in series else 1


def _band_note(reps: int) -> str:
    if reps > 1:
        return f"median of {reps} runs, band 10-90 %"
    return "one run"
