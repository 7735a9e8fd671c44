"""The report's figures, chosen by the design (:func:`figures`) and rendered as PNG.

The arms' curves (a panel per design point, or with more than
:data:`simulator.sweep_plots.MAX_PANELS` points a figure per swept parameter, a panel per
value or bin of it) and adoption by level always; the outcomes against the parameter for one
axis (marginal plots for more); heatmaps for two-axis grids; a forest plot of the paired
difference between arms per design point; with sensitivity indices, bars of each arm's
outcomes and of the differences between arms.
"""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from simulator import plots
from simulator import sweep_plots as sp
from simulator.analysis import ok_runs
from simulator.plots_values import is_number
from simulator.report_data import Figured, ReportData, design_kind, index_method
from simulator.results import axis_order
from simulator.sensitivity import verdict

VS_METRICS: tuple[str, ...] = ("poster", "took_off", "t10", "reach")
"""Outcomes drawn against a single swept parameter."""


def figures(data: ReportData) -> list[Figured]:
    """The report's figures, chosen by the design (none if no run finished)."""
    results, arms = data.results, data.results.arms
    axes = [a for a in results.axes if a in results.outcomes.columns]
    kind = design_kind(results.manifest)
    out: list[Figured] = []
    if ok_runs(results.outcomes).empty:
        return out
    if not results.series.empty and "poster" in results.series:
        out += _arm_curves(data, axes)
    if not results.levels.empty:
        fig = sp.level_adoption(results.levels, arms=arms)
        caption = "Final share posting at each level of the hierarchy, per arm (mean, 95 % CI)."
        out.append(render("level_adoption", fig, caption))
    summary = data.summary
    log = {a: _log_scale(results.manifest, a) for a in axes}
    order, custom = axis_order(results.manifest), results.outcomes.attrs.get("measures")
    style: dict[str, Any] = {"arms": arms, "legend": False, "order": order, "measures": custom}
    if len(axes) == 1:
        fig = Figure(figsize=(12.5, 9.0), layout="constrained")
        for ax, metric in zip(fig.subplots(2, 2).ravel(), VS_METRICS, strict=True):
            sp.outcome_vs_parameter(summary, axes[0], metric, **style, ax=ax, log=log[axes[0]])
        plots.arm_legend(fig, arms)
        caption = f"Final posting, take-off, time to take-off and reach against {axes[0]}."
        out.append(render("outcome_vs_parameter", fig, caption))
    elif axes:
        shown = axes[:6]
        ncol, nrow = min(3, len(shown)), -(-len(shown) // 3)
        fig = Figure(figsize=(5.0 * ncol + 0.6, 4.4 * nrow + 0.8), layout="constrained")
        grid = fig.subplots(nrow, ncol, squeeze=False).ravel()
        for ax, axis in zip(grid, shown, strict=False):
            sp.outcome_vs_parameter(summary, axis, "poster", **style, ax=ax, log=log[axis])
        for ax in grid[len(shown) :]:
            ax.set_visible(False)
        plots.arm_legend(fig, arms)
        caption = "Final share posting against each swept parameter, the others averaged over."
        out.append(render("poster_by_parameter", fig, caption))
    if kind == "grid" and len(axes) == 2:
        fig = sp.heatmap(summary, axes[0], axes[1], "poster", arms=arms, order=order)
        out.append(render("heatmap", fig, "Final share posting over the two swept parameters."))
        paired = data.contrasts
        if len(arms) > 1 and not paired.empty and (paired["n"] > 0).any():  # (pairs to show)
            fig = sp.difference_heatmap(paired, axes[0], axes[1], "poster", order=order)
            caption = f"Paired difference in final share posting from the baseline {arms[0]}."
            out.append(render("difference_heatmap", fig, caption))
    forest = _forest(data)
    if forest is not None:
        out.append(forest)
    table = data.sensitivity
    if table is not None and not table.empty:
        what = SENSITIVITY_WHAT[index_method(table, kind)]
        own = table[table["arm"].isin(arms)]
        if not own.empty:
            fig = sp.sensitivity_bars(own, arms=arms, measures=custom)
            caption = (
                f"{what} of the swept parameters, per arm and outcome (those that cannot be "
                "told apart from replication noise are marked in the table below)."
            )
            if index_method(table, kind) == "rbd_fast":
                caption = (
                    f"{what} of the swept parameters, per arm and outcome: the share of the "
                    "variance of the outcome over the design points that follows one "
                    "parameter alone. Dotted: the S1 that a parameter with no effect reaches "
                    "by chance in 95 % of cases; a hatched bar, within noise, is at or below "
                    "it and cannot be told from no effect."
                )
            out.append(render("sensitivity", fig, caption))
        gaps = table[~table["arm"].isin(arms)]
        if not gaps.empty:
            # in the colours of the arms they contrast (the baseline's colour goes unused)
            coloured = [arms[0], *dict.fromkeys(gaps["arm"])]
            fig = sp.sensitivity_bars(gaps, arms=coloured, measures=custom)
            caption = (
                f"{what} of the paired difference between arms (each arm minus the baseline "
                f"{arms[0]}, averaged per design point): which parameters drive the gap."
            )
            out.append(render("sensitivity_difference", fig, caption))
    return out


CURVES_BY = 3
"""A design of more design points than :data:`simulator.sweep_plots.MAX_PANELS` gets the
arms' curves by swept parameter, for up to this many parameters (the most influential
first when the design ranks them)."""


def _arm_curves(data: ReportData, axes: list[str]) -> list[Figured]:
    """Share posting by week per arm: a panel per design point, or (more design points
    than fit) a figure per swept parameter, a panel per value or bin of it.

    The runs of all design points pooled in one panel, as a many-point design had them,
    drew one median over openness 0 and openness 1 alike, and a band that was the
    design's spread more than the runs': the figures by parameter show the same runs, each
    in one panel of each figure, with what changes along the parameter kept apart."""
    results, arms = data.results, data.results.arms
    series = results.series
    if series["point"].nunique() <= sp.MAX_PANELS or not axes:
        labels = results.point_labels if axes else {}
        fig = sp.arm_curves(series, "poster", arms=arms, point_labels=labels)
        caption = "Share posting by week, per arm (median, 10-90 %)."
        return [render("arm_curves", fig, caption)]
    weekly = results.with_axes(series)
    order = axis_order(results.manifest)
    out = []
    ranked, noisy = _ranked_axes(data.sensitivity, axes, arms)
    for axis, rank in ranked[:CURVES_BY]:
        fig = sp.arm_curves(weekly, "poster", arms=arms, by=axis, order=order)
        values = weekly[axis].dropna()
        panels = sum(ax.get_visible() for ax in fig.axes)
        if values.nunique() > sp.MAX_PANELS and is_number(values):
            what = (
                f"one panel per bin of {axis} ({panels} bins of about equal numbers of"
                " design points, each titled with the range of its values)"
            )
            pooled = " (pooled over the design points in the bin)"
        else:
            what = f"one panel per value of {axis}"
            pooled = " (pooled over the other swept parameters)" if len(axes) > 1 else ""
        caption = (
            f"Share posting by week, per arm, {what}: the line is the median over the runs "
            f"in the panel{pooled}, the band their 10-90 %; the panels share the y axis."
            f"{rank}"
        )
        out.append(render(f"arm_curves_by_{axis}", fig, caption))
    left = [a for a, _ in ranked[CURVES_BY:]]
    if noisy:
        why = "within replication noise for every arm (see Sensitivity)"
        out[-1].caption += f" Not drawn: {', '.join(noisy)}, {why}."
    if left:
        out[-1].caption += f" Not drawn: {', '.join(left)} (the first {CURVES_BY} only)."
    return out


RANKED_BY = {
    "ST": "total Sobol index ST",
    "mu_star": "Morris μ*",
    "S1": "first-order index S1",
}
"""The index that ranks the swept parameters, the first the sensitivity table has."""


def _ranked_axes(
    table: pd.DataFrame | None, axes: list[str], arms: list[str]
) -> tuple[list[tuple[str, str]], list[str]]:
    """The swept parameters with a sentence on their rank, and those left out.

    The most influential first where the report ranks them (:data:`RANKED_BY` of the
    final share posting, the largest over the arms), less those within replication noise
    for every arm (left out; the first is kept); otherwise in the scenario's order, with
    no sentence."""
    rows = table if table is not None else pd.DataFrame()
    index = next((c for c in RANKED_BY if c in rows), "")
    if index:
        rows = rows[(rows["metric"] == "poster") & rows["arm"].isin(arms)]
        rows = rows[rows["parameter"].isin(axes) & rows[index].notna()]
    if not index or rows.empty:
        return [(axis, "") for axis in axes], []
    score = rows.groupby("parameter")[index].max()
    noisy = {
        name: "within_noise" in rows and all(verdict(v) for v in part["within_noise"])
        for name, part in rows.groupby("parameter")
    }
    order = sorted(axes, key=lambda a: -float(score.get(a, float("-inf"))))
    ranked: list[tuple[str, str]] = []
    skipped: list[str] = []
    for place, axis in enumerate(order):
        if place and noisy.get(axis, False):
            skipped.append(axis)
        elif axis not in score:  # (no index for it)
            ranked.append((axis, ""))
        else:
            rank = f" {axis} ranks {_ordinal(place + 1)} of {len(axes)} parameters by the"
            value = f" {RANKED_BY[index]} of final share posting ({float(score[axis]):.2f})."
            ranked.append((axis, rank + value))
    return ranked, skipped


def _ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 4th (the ranks of a few parameters).

    >>> [_ordinal(n) for n in (1, 2, 3, 4, 11)]
    ['1st', '2nd', '3rd', '4th', '11th']
    """
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{'th' if 10 <= number % 100 <= 20 else suffix}"


FOREST_METRIC = "poster"
"""The outcome whose paired differences the forest plot shows."""


def _forest(data: ReportData) -> Figured | None:
    """The forest plot of paired differences per design point (two arms or more, two
    design points or more, at most :data:`simulator.sweep_plots.FOREST_ROWS`)."""
    arms, per = data.results.arms, data.contrasts
    if len(arms) < 2 or per.empty:
        return None
    rows = per[(per["metric"] == FOREST_METRIC) & (per["n"] > 0)]
    count = rows["point"].nunique()
    if count < 2 or count > sp.FOREST_ROWS:
        return None
    labels = {i: short_label(p) for i, p in enumerate(data.results.points)}
    fig = sp.forest_plot(rows, FOREST_METRIC, arms=arms, point_labels=labels, pooled=data.pooled)
    caption = (
        f"Paired difference in {plots.label(FOREST_METRIC).lower()} (each arm minus the "
        f"baseline {arms[0]}, on the same seeds) at each of {count} design points: mean and "
        "95 % CI; the diamond pools every point."
    )
    return render("forest", fig, caption)


SENSITIVITY_WHAT = {
    "sobol": "Sobol first-order and total indices",
    "morris": "Morris μ*",
    "rbd_fast": "Given-data first-order indices S1 (RBD-FAST)",
}
"""What the sensitivity figures show, by method."""


def short_label(point: dict[str, Any]) -> str:
    """A compact label for a design point: the last part of each parameter path (unless two
    share it) and 3 significant digits.

    >>> short_label({"culture.openness": 0.123456, "org.span": 4})
    'openness 0.123, span 4'
    """
    tails = [k.rsplit(".", 1)[-1] for k in point]
    names = tails if len(set(tails)) == len(tails) else list(point)
    values = [f"{v:.3g}" if isinstance(v, float) else str(v) for v in point.values()]
    return ", ".join(f"{n} {v}" for n, v in zip(names, values, strict=True)) or "all runs"


def _log_scale(manifest: dict[str, Any], axis: str) -> bool:
    specs = manifest.get("scenario", {}).get("axes", [])
    return any(a.get("param") == axis and a.get("scale") == "log" for a in specs)


def render(name: str, fig: Figure, caption: str) -> Figured:
    """``fig`` as the report shows and writes it: a PNG at 110 dpi on white, named and
    captioned."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, facecolor="white")
    return Figured(name, caption, buffer.getvalue())
