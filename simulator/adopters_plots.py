"""The figure of who adopts, and when (:func:`who_adopts`): the tables of
:func:`simulator.adopters.summary` in, a :class:`~matplotlib.figure.Figure` out.

Four panels, the arms in their colours (:func:`simulator.plots_colours.arm_colours`) side
by side in each: the share posting at the horizon by role and by hierarchy level (mean and
95 % interval over the runs), the first week as a poster by level (median and 10-90 % of
the posters) and the source of first adoptions (mean share of a run's adoptions, 95 %
interval); the panels finished (:func:`simulator.plots_style.finish_panel`) and the arms'
legend under them (:func:`simulator.plots_text.arm_legend`) as the sweep figures have them.

Examples
--------
>>> import pandas as pd
>>> from simulator.adopters import summary
>>> people = pd.DataFrame({
...     "point": 0, "arm": ["model"] * 2 + ["delegate"] * 2, "replication": 0,
...     "level": [0, 1] * 2, "role": ["top", None] * 2,
...     "final_stage": ["poster", "listener", "listener", "poster"],
...     "first_poster": [1.0, None, None, 4.0], "source": ["assigned", None, None, "peer"],
... })
>>> fig = who_adopts(summary(people), arms=["model", "delegate"])
>>> for ax in fig.axes:
...     print(ax.get_title())
Share posting by role
Share posting by level
First week as a poster
First adoptions by source
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from simulator.adopters import group_order
from simulator.plots_colours import arm_colours
from simulator.plots_style import FONT, finish_panel, label
from simulator.plots_text import arm_legend

DODGE = {"role": 0.5, "level": 0.18, "first_week": 0.18, "source": 0.5}
"""The width that the arms' points at one group share, in groups: narrow where lines join
the levels (as the figure by level has them), wider between the roles and sources."""
NOTE = (
    "point and bar: mean and 95 % CI over runs (shares); median and 10-90 % of the posters"
    " (first week)"
)
"""What the points and bars are, under the legend."""


def who_adopts(table: pd.DataFrame, *, arms: Sequence[str], points: int = 1) -> Figure:
    """Who adopts, and when, per arm: four panels of :func:`simulator.adopters.summary`.

    Parameters
    ----------
    table : DataFrame
        :func:`simulator.adopters.summary`'s table.
    arms : sequence of str
        The scenario's arms, in order: their colours (an arm without rows keeps its colour
        and its place in the legend).
    points : int
        The design points pooled (said in the title when more than one).

    Returns
    -------
    Figure
    """
    colours = arm_colours(arms)
    fig = Figure(figsize=(12.5, 8.6), layout="constrained")
    grid = fig.subplots(2, 2)
    panels = [
        ("role", "Share posting by role", "Role", label("poster")),
        ("level", "Share posting by level", "Level (0 = top)", label("poster")),
        ("first_week", "First week as a poster", "Level (0 = top)", "Week"),
        ("source", "First adoptions by source", "Main source", "Share of a run's adoptions"),
    ]
    for ax, (part, title, xlabel, ylabel) in zip(grid.ravel(), panels, strict=True):
        rows = table[table["table"] == part]
        groups = group_order(part, rows["group"])
        for k, arm in enumerate(arms):
            _arm_points(ax, rows, groups, arm, k, len(arms), colours[arm], part)
        ax.set_xticks(range(len(groups)), [str(g) for g in groups])
        _finish(ax, title, xlabel, ylabel, percent=part != "first_week")
    if points > 1:
        fig.suptitle(f"Pooled over {points} design points", fontsize=FONT["title"])
    arm_legend(fig, arms, NOTE)
    return fig


def _arm_points(
    ax: Axes,
    rows: pd.DataFrame,
    groups: list[object],
    arm: str,
    k: int,
    count: int,
    colour: str,
    part: str,
) -> None:
    """One arm's points and bars in a panel, beside the other arms' at each group."""
    mine = rows[rows["arm"] == arm]
    if mine.empty:
        return
    x = np.array([groups.index(g) for g in mine["group"]], dtype=float)
    x += DODGE[part] / max(count, 1) * (k - (count - 1) / 2)
    weeks = part == "first_week"
    centre, low, high = ("median", "q10", "q90") if weeks else ("mean", "ci_low", "ci_high")
    y = mine[centre].to_numpy(dtype=float)
    below = np.nan_to_num(y - mine[low].to_numpy(dtype=float))  # (no interval: no bar)
    above = np.nan_to_num(mine[high].to_numpy(dtype=float) - y)
    line = "o-" if part in ("level", "first_week") else "o"
    ax.errorbar(x, y, yerr=[below, above], fmt=line, color=colour, lw=2.2, ms=6, capsize=4)


def _finish(ax: Axes, title: str, xlabel: str, ylabel: str, percent: bool) -> None:
    """A panel finished as the sweep figures' (:func:`simulator.plots_style.finish_panel`),
    from zero up, whole weeks on the first week's axis."""
    finish_panel(ax, title, xlabel, ylabel, percent)
    if not percent:
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(bottom=0)


__all__ = ["who_adopts"]
