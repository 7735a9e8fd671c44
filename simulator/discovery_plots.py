"""Figures and files of a scenario discovery (:mod:`simulator.discovery`): the PRIM peeling
trajectory, the chosen box's limits against the swept ranges, and the box, its limits and
the trajectory as JSON and CSV (what ``orgsim discover`` writes)."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from simulator.discovery_box import Discovery, _pct, _qp
from simulator.discovery_question import _show

if TYPE_CHECKING:
    from matplotlib.figure import Figure

BOX_COLOUR = "#000000"
SWEPT_COLOUR = "#D9D9D9"
PNG = {"dpi": 150, "facecolor": "white"}  # (as simulator.plots.save writes figures)
FILES = ("box.json", "box.csv", "trajectory.csv", "trajectory.png", "limits.png")
"""What :func:`write_discovery` writes (also :data:`simulator.discovery.FILES`)."""


def trajectory_figure(d: Discovery) -> Figure:
    """Coverage against density of every box on the peeling trajectory, coloured by the
    number of restricted parameters, the density threshold dashed and the chosen box ringed."""
    from matplotlib import colormaps
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    from simulator.plots import FONT

    t = d.trajectory
    fig = Figure(figsize=(7.4, 6.0), layout="constrained")
    ax = fig.subplots()
    ax.plot(t["coverage"], t["density"], color="#AAAAAA", lw=1, zorder=1)
    dims = sorted(t["res_dim"].unique())
    cmap = colormaps["viridis"]
    for j, r in enumerate(dims):
        part = t[t["res_dim"] == r]
        colour = cmap(0.85 * j / max(len(dims) - 1, 1))
        name = f"{r} parameter{'s' if r != 1 else ''} restricted"
        ax.scatter(part["coverage"], part["density"], s=28, color=colour, label=name, zorder=2)
    ax.axhline(d.threshold, ls="--", lw=1.2, color="#555555", label=f"density {_pct(d.threshold)}")
    b = d.box
    ax.scatter(
        [b["coverage"]],
        [b["density"]],
        s=260,
        facecolors="none",
        edgecolors=BOX_COLOUR,
        lw=2,
        zorder=3,
        label=f"box {d.chosen}, taken",
    )
    ax.text(  # (bottom left: the trajectory runs from high coverage to high density)
        0.03,
        0.03,
        f"box {d.chosen}, taken: coverage {_pct(b['coverage'])}, density {_pct(b['density'])},"
        f" mass {_pct(b['mass'])}\n{b['restricted']} parameter{'s' if b['restricted'] != 1 else ''}"
        " restricted" + ("" if d.reached else f"; no box reaches density {_pct(d.threshold)}"),
        transform=ax.transAxes,
        ha="left",
        va="bottom",
        fontsize=FONT["legend"] + 0.5,
    )
    ax.set_xlim(-0.02, 1.04)
    ax.set_ylim(-0.02, 1.04)
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    q, unit = d.question, d.question.unit
    ax.set_xlabel(
        f"Coverage: share of the {unit} where it holds that are in the box", fontsize=FONT["label"]
    )
    ax.set_ylabel(f"Density: share of the box's {unit} where it holds", fontsize=FONT["label"])
    ax.tick_params(labelsize=FONT["tick"])
    ax.grid(True, color="#DDDDDD", lw=0.7)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_title(
        textwrap.fill(f"PRIM peeling trajectory: {q} ({len(q.y):,} {unit})", 62),
        fontsize=FONT["title"],
    )
    fig.legend(loc="outside lower center", ncol=3, fontsize=FONT["legend"], frameon=False)
    return fig


def limits_figure(d: Discovery) -> Figure:
    """Each parameter's range in the chosen box (black) against the values run (grey), on a
    scale from the lowest to the highest value run; categories as dots, filled when in the
    box. Restricted parameters first, with their quasi-p-values."""
    from matplotlib.figure import Figure

    from simulator.plots import FONT

    rows = d.limits.to_dict("records")
    fig = Figure(figsize=(8.6, 1.7 + 0.8 * len(rows)), layout="constrained")
    ax = fig.subplots()
    small = FONT["legend"]
    labels = []
    for y, r in enumerate(rows):
        colour = BOX_COLOUR if r["restricted"] else "#888888"
        if r["kind"] == "number":
            lo_all, hi_all = float(r["swept_low"]), float(r["swept_high"])
            span = (hi_all - lo_all) or 1.0
            lo, hi = ((float(r[k]) - lo_all) / span for k in ("low", "high"))
            ax.plot([0, 1], [y, y], color=SWEPT_COLOUR, lw=11, solid_capstyle="butt")
            ax.plot(
                [lo, hi],
                [y, y],
                color=colour,
                lw=11 if r["restricted"] else 4,
                solid_capstyle="butt",
            )
            for end, value, ha in ((0, r["swept_low"], "left"), (1, r["swept_high"], "right")):
                ax.text(
                    end, y + 0.22, _show(value), ha=ha, va="top", fontsize=small, color="#555555"
                )
            for side, at, value, ha in (
                ("low", lo, r["low"], "right"),
                ("high", hi, r["high"], "left"),
            ):
                if not np.isnan(r[f"qp_{side}"]):
                    pad = -0.012 if ha == "right" else 0.012
                    ax.text(
                        at + pad,
                        y - 0.12,
                        _show(value),
                        ha=ha,
                        va="bottom",
                        fontsize=small + 1,
                        color=colour,
                        weight="bold",
                    )
        else:
            values = list(r["swept"])
            xs = np.linspace(0.1, 0.9, len(values)) if len(values) > 1 else np.array([0.5])
            kept = set(r["in_box"])
            for xv, value in zip(xs, values, strict=True):
                inside = value in kept
                ax.scatter(
                    [xv],
                    [y],
                    s=110,
                    color=colour if inside else "white",
                    edgecolors=colour if inside else "#999999",
                    lw=1.5,
                    zorder=3,
                )
                ax.text(
                    xv,
                    y + 0.22,
                    _show(value),
                    ha="center",
                    va="top",
                    fontsize=small,
                    color=colour if inside and r["restricted"] else "#555555",
                )
        qp = [_qp(r["qp_low"]), _qp(r["qp_high"])]
        said = " / ".join(v for v in qp if v) if r["restricted"] else ""
        labels.append(f"{r['parameter']}\n" + (f"(qp {said})" if said else "(not restricted)"))
    ax.set_yticks(range(len(rows)), labels, fontsize=FONT["tick"])
    ax.set_ylim(len(rows) - 0.45, -0.65)
    ax.set_xlim(-0.14, 1.14)
    ax.set_xticks([])
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    b, q = d.box, d.question
    ax.set_title(
        textwrap.fill(f"PRIM box {d.chosen} for {q}", 66)
        + f"\ncoverage {_pct(b['coverage'])}, density {_pct(b['density'])}, mass"
        f" {_pct(b['mass'])} ({b['n']:,} of {len(q.y):,} {q.unit})",
        fontsize=FONT["title"],
    )
    ax.set_xlabel(
        "grey: each parameter from its lowest to its highest value run\n"
        "black: its range in the box (a category: filled when in the box)",
        fontsize=FONT["label"],
    )
    return fig


def write_discovery(d: Discovery, out: str | os.PathLike[str]) -> list[Path]:
    """Write :data:`FILES` into ``out`` (made if need be): the box as JSON (question, method,
    statistics, limits, notes, trajectory) and CSV (the limits), the trajectory as CSV, and
    the two figures as PNG. Returns the paths written."""
    import json

    from simulator.results import atomic_write

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / name for name in FILES]
    text = json.dumps(d.to_dict(), indent=2, default=str) + "\n"
    atomic_write(paths[0], lambda tmp: tmp.write_text(text))
    limits = d.limits.copy()
    for column in ("in_box", "swept"):
        if column in limits:
            limits[column] = [
                "; ".join(map(_show, v)) if isinstance(v, list) else "" for v in limits[column]
            ]
    atomic_write(paths[1], lambda tmp: limits.to_csv(tmp, index=False))
    atomic_write(paths[2], lambda tmp: d.trajectory.to_csv(tmp))
    for path, draw in ((paths[3], trajectory_figure), (paths[4], limits_figure)):
        figure = draw(d)
        atomic_write(path, lambda tmp, f=figure: f.savefig(tmp, format="png", **PNG))
    return paths
