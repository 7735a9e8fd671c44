"""Bars of sensitivity indices per swept parameter, a panel per outcome and a colour per arm:
Sobol S1 solid inside ST light, Morris mu*, or given-data (RBD-FAST) S1, with 95 % CIs; what
replication noise alone could give dotted, and the bars within it hatched.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from simulator.measures import label as measure_label
from simulator.plots_colours import arm_colours
from simulator.plots_style import FONT, finish_panel
from simulator.plots_text import figure_legend
from simulator.plots_values import arm_order


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
    arms = arm_order(rows, arms)
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
        finish_panel(ax, measure_label(metric, measures), xlabel, "", False)
        ax.axvline(0.0, color="black", lw=0.8)
        ax.set_yticks(y, params)  # after finish_panel, which formats y as numbers
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
    figure_legend(fig, present, colours, note)
    titles = {"sobol": "Sobol sensitivity indices", "rbd_fast": "Given-data sensitivity (RBD-FAST)"}
    title = titles.get(method, "Morris screening")
    fig.suptitle(title, fontsize=FONT["title"] + 1)
    return fig


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


__all__ = ["sensitivity_bars"]
