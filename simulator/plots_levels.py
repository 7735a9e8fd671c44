"""Adoption by hierarchy level (level 0 = top): a run's posters by level over the weeks
(:func:`level_panel`), and a sweep's final share posting by level per arm
(:func:`level_adoption`).

Examples
--------
>>> from simulator import OrgModel, Params
>>> model = OrgModel(Params().with_updates({"org.size": 60, "steps": 3}), rng=1).run()
>>> fig = level_panel(model.levels())
>>> fig.axes[0].get_title()
'Posters by level'
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from simulator.analysis import t95_half
from simulator.plots_colours import arm_colours
from simulator.plots_style import FONT, figure_and_axes, finish_panel, require_table, style_weekly
from simulator.plots_text import figure_legend
from simulator.plots_values import arm_order

MAX_LEVEL_LEGEND = 8
"""More levels than this get a colour scale instead of a legend entry each."""


def level_panel(levels: pd.DataFrame, ax: Axes | None = None) -> Figure:
    """Poster share over time by hierarchy level (level 0 = top), median over replications.

    Parameters
    ----------
    levels : DataFrame
        Tidy per-step, per-level table (:meth:`simulator.model.OrgModel.levels`) with
        columns ``step``, ``replication``, ``level``, ``people`` and ``poster``.
    ax : Axes, optional
        Where to draw; a new figure otherwise.
    """
    require_table("level_panel", levels, "model.levels()", ["step", "level", "people", "poster"])
    fig, ax = figure_and_axes(ax, (6.0, 4.3))
    median = levels.groupby(["level", "step"])["poster"].median()
    people = levels.groupby("level")["people"].first()
    deepest = int(people.index.max())
    colours = colormaps["viridis"](np.linspace(0.0, 0.85, deepest + 1))
    for level in people.index:
        line = median.loc[level]
        name = {0: " top", deepest: " front line"}.get(int(level), "") if deepest else " top"
        label = f"{level}{name} ({int(people.loc[level]):,})"
        ax.plot(line.index, line.to_numpy(), color=colours[int(level)], lw=2, label=label)
    style_weekly(ax, "Posters by level", "Share of the level posting")
    ax.set_ylim(0, 1.02)  # (a level all posting stays visible above the frame's edge)
    if len(people) <= MAX_LEVEL_LEGEND:
        ax.legend(
            loc="best",
            fontsize=FONT["legend"],
            title="Level (people)",
            title_fontsize=FONT["legend"],
            frameon=False,
            ncol=2 if len(people) > 6 else 1,
        )
    else:  # a deep hierarchy: a colour scale, not a legend entry per level over the lines
        scale = ScalarMappable(norm=Normalize(0, deepest / 0.85), cmap=colormaps["viridis"])
        bar = fig.colorbar(scale, ax=ax, fraction=0.05, pad=0.02)
        bar.ax.set_ylim(-0.5, deepest + 0.5)
        bar.ax.invert_yaxis()
        bar.ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
        bar.set_label("Level (0 = top)", fontsize=FONT["legend"])
        bar.ax.tick_params(labelsize=FONT["tick"])
    return fig


def level_adoption(levels: pd.DataFrame, *, arms: Sequence[str] | None = None) -> Figure:
    """Final share posting by hierarchy level (0 = top), per arm: mean and 95 % CI over runs.

    All design points' runs are pooled (the title says how many points). The legend of the
    arms is under the panel, clear of every whisker.
    """
    arms = arm_order(levels, arms)
    colours = arm_colours(arms)
    last = levels.groupby(["point", "arm", "replication"])["step"].transform("max")
    final = levels[levels["step"] == last]
    group = final.groupby(["arm", "level"])["poster"]
    table = pd.DataFrame({"mean": group.mean(), "sd": group.std(ddof=1), "n": group.count()})
    table["half"] = t95_half(table["sd"], table["n"])
    table["half"] = table["half"].fillna(0.0)  # (none below two runs: no whisker)
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
    title = f"Final share posting by level{where}"
    finish_panel(ax, title, "Level (people)", "Share posting", True)
    ax.set_ylim(bottom=0)
    # under the panel, not in it: matplotlib's "best" place avoids the lines' points but
    # not the whiskers between them, and put the legend over one
    figure_legend(fig, present, colours, f"point and bar: mean and 95 % CI of up to {runs} runs")
    return fig


__all__ = ["MAX_LEVEL_LEGEND", "level_adoption", "level_panel"]
