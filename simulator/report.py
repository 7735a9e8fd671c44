"""A sweep's report: summary tables, figures and one self-contained HTML page.

:func:`write_report` reads a results folder (:mod:`simulator.results`) and writes, into
``<results>/report/`` by default: ``summary.csv`` (:func:`simulator.analysis.summarise`),
``contrasts.csv`` (paired contrasts per design point, :func:`simulator.analysis.contrasts`),
``sensitivity.csv`` for Sobol and Morris designs and for grid, points and lhs designs of
16 distinct points or more (:mod:`simulator.sensitivity`), the figures as PNG files and
``report.html``, which embeds the figures as data URIs and needs nothing else (no network,
no scripts). The figures follow the design: the arms' curves (a panel per design point, or
with more than six points a figure per swept parameter, a panel per value or bin of it) and
adoption by level always; the outcomes against the parameter for one axis (marginal plots
for more); heatmaps for two-axis grids; a forest plot of the paired difference between arms
per design point; with sensitivity indices, bars of each arm's outcomes and of the
differences between arms, with the indices' table. Partially finished folders are reported
as such, and a folder whose runs all failed gets a report of its errors. Another report
into the same folder removes the files the last one wrote and this one does not.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from simulator import plots
from simulator import sweep_plots as sp
from simulator.analysis import LEFT_OUT, PAIRED_METRICS, contrasts, ok_runs, summarise
from simulator.design import DRAWS_VALUES, SAMPLED
from simulator.measures import in_percent, label, of_table
from simulator.results import Results, axis_order, load, short_value
from simulator.robustness import report_section as robustness_section
from simulator.sensitivity import SensitivityError, sensitivity, verdict

VS_METRICS: tuple[str, ...] = ("poster", "took_off", "t10", "reach")
"""Outcomes drawn against a single swept parameter."""
CONTRAST_METRICS: tuple[str, ...] = (*PAIRED_METRICS, "took_off")
"""Outcomes contrasted between arms (``took_off``: a difference in take-off probability)."""


@dataclass
class Figured:
    """A figure rendered for the report."""

    name: str
    caption: str
    png: bytes

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass
class ReportData:
    """Everything the HTML page shows."""

    results: Results
    summary: pd.DataFrame
    contrasts: pd.DataFrame
    pooled: pd.DataFrame
    sensitivity: pd.DataFrame | None
    figures: list[Figured] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    created_utc: str = ""

    @property
    def counts(self) -> dict[str, int]:
        """Runs planned, finished (ok), failed and not run."""
        outcomes = self.results.outcomes
        planned = int(self.results.manifest.get("runs_planned", len(outcomes)))
        ok = int((outcomes["status"] == "ok").sum()) if not outcomes.empty else 0
        failed = len(outcomes) - ok
        return {"planned": planned, "ok": ok, "failed": failed, "missing": planned - ok - failed}


def write_report(results_dir: str | Path, out_dir: str | Path | None = None) -> Path:
    """Summarise a results folder into CSV tables, PNG figures and ``report.html``.

    Parameters
    ----------
    results_dir : path
        A results folder written by :func:`simulator.sweep.sweep` (finished or not).
    out_dir : path, optional
        Where to write; default ``<results_dir>/report``.

    Returns
    -------
    Path
        The path of ``report.html``.
    """
    results = load(results_dir, levels="last")  # (the figure by level: the last week)
    out = Path(out_dir) if out_dir is not None else Path(results_dir) / "report"
    out.mkdir(parents=True, exist_ok=True)
    data = analyse(results)
    written = ["summary.csv", "contrasts.csv", "report.html"]
    data.summary.to_csv(out / "summary.csv", index=False)
    data.contrasts.to_csv(out / "contrasts.csv", index=False)
    if data.sensitivity is not None:
        data.sensitivity.to_csv(out / "sensitivity.csv", index=False)
        written.append("sensitivity.csv")
    data.figures = figures(data)
    for figure in data.figures:
        (out / f"{figure.name}.png").write_bytes(figure.png)
        written.append(f"{figure.name}.png")
    target = out / "report.html"
    target.write_text(page(data), encoding="utf-8")
    _forget_stale(out, written)
    return target


WRITTEN = ".written"
"""The file in a report folder listing what the report wrote there."""


def _forget_stale(out: Path, written: list[str]) -> None:
    """Remove what an earlier report wrote into ``out`` (as its :data:`WRITTEN` lists) and
    this one did not: a figure renamed or no longer drawn, a sensitivity table of a design
    that now has none, was left beside the new files as if it were theirs. Nothing else is
    touched: ``out`` may be any folder (``orgsim report --out``)."""
    listed = out / WRITTEN
    before = set(listed.read_text(encoding="utf-8").split()) if listed.exists() else set()
    for name in before - set(written):
        if Path(name).name == name and name not in (".", ".."):  # (only a file of out)
            (out / name).unlink(missing_ok=True)
    listed.write_text("\n".join(written) + "\n", encoding="utf-8")


def analyse(results: Results) -> ReportData:
    """The tables of the report (arms in scenario order), and notes on what was skipped."""
    arms = results.arms
    outcomes = results.outcomes
    notes: list[str] = []
    summary = _arm_order(summarise(outcomes), arms)
    metrics = [*CONTRAST_METRICS, *of_table(outcomes.attrs)]  # (and the scenario's own)
    paired = _arm_order(contrasts(outcomes, arms, metrics), arms)
    pooled = _arm_order(contrasts(outcomes, arms, metrics, pooled=True), arms)
    table: pd.DataFrame | None = None
    try:
        table = sensitivity(results)
    except SensitivityError as err:  # too few points: said for a sample, as a grid has no such aim
        if design_kind(results.manifest) in DRAWS_VALUES:
            notes.append(f"No sensitivity indices: {err}")
    except ValueError as err:  # an unfinished design cannot be analysed
        notes.append(f"No sensitivity indices: {err}")
    if table is not None:
        notes += table.attrs.get("notes", [])
        table = _arm_order(table, arms)
    created = datetime.now(UTC).isoformat(timespec="seconds")
    return ReportData(results, summary, paired, pooled, table, notes=notes, created_utc=created)


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
        out.append(_render("level_adoption", fig, caption))
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
        out.append(_render("outcome_vs_parameter", fig, caption))
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
        out.append(_render("poster_by_parameter", fig, caption))
    if kind == "grid" and len(axes) == 2:
        fig = sp.heatmap(summary, axes[0], axes[1], "poster", arms=arms, order=order)
        out.append(_render("heatmap", fig, "Final share posting over the two swept parameters."))
        paired = data.contrasts
        if len(arms) > 1 and not paired.empty and (paired["n"] > 0).any():  # (pairs to show)
            fig = sp.difference_heatmap(paired, axes[0], axes[1], "poster", order=order)
            caption = f"Paired difference in final share posting from the baseline {arms[0]}."
            out.append(_render("difference_heatmap", fig, caption))
    forest = _forest(data)
    if forest is not None:
        out.append(forest)
    table = data.sensitivity
    if table is not None and not table.empty:
        what = SENSITIVITY_WHAT[_index_method(table, kind)]
        own = table[table["arm"].isin(arms)]
        if not own.empty:
            fig = sp.sensitivity_bars(own, arms=arms, measures=custom)
            caption = (
                f"{what} of the swept parameters, per arm and outcome (those that cannot be "
                "told apart from replication noise are marked in the table below)."
            )
            if _index_method(table, kind) == "rbd_fast":
                caption = (
                    f"{what} of the swept parameters, per arm and outcome: the share of the "
                    "variance of the outcome over the design points that follows one "
                    "parameter alone. Dotted: the S1 that a parameter with no effect reaches "
                    "by chance in 95 % of cases; a hatched bar, within noise, is at or below "
                    "it and cannot be told from no effect."
                )
            out.append(_render("sensitivity", fig, caption))
        gaps = table[~table["arm"].isin(arms)]
        if not gaps.empty:
            # in the colours of the arms they contrast (the baseline's colour goes unused)
            coloured = [arms[0], *dict.fromkeys(gaps["arm"])]
            fig = sp.sensitivity_bars(gaps, arms=coloured, measures=custom)
            caption = (
                f"{what} of the paired difference between arms (each arm minus the baseline "
                f"{arms[0]}, averaged per design point): which parameters drive the gap."
            )
            out.append(_render("sensitivity_difference", fig, caption))
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
        return [_render("arm_curves", fig, caption)]
    weekly = results.with_axes(series)
    order = axis_order(results.manifest)
    out = []
    ranked, noisy = _ranked_axes(data.sensitivity, axes, arms)
    for axis, rank in ranked[:CURVES_BY]:
        fig = sp.arm_curves(weekly, "poster", arms=arms, by=axis, order=order)
        values = weekly[axis].dropna()
        panels = sum(ax.get_visible() for ax in fig.axes)
        if values.nunique() > sp.MAX_PANELS and sp._is_number(values):
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
        out.append(_render(f"arm_curves_by_{axis}", fig, caption))
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
    return _render("forest", fig, caption)


SECTION_FIGURES = {
    "forest": "contrasts",
    "sensitivity": "sensitivity",
    "sensitivity_difference": "sensitivity",
}
"""Figures shown in their own section of the page rather than under Figures."""


def design_kind(manifest: dict[str, Any]) -> str:
    """The design's kind (grid, points, lhs, sobol or morris)."""
    kind = manifest.get("resolved", {}).get("design")
    return str(kind or manifest.get("scenario", {}).get("design", {}).get("kind", "grid"))


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


def _render(name: str, fig: Figure, caption: str) -> Figured:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, facecolor="white")
    return Figured(name, caption, buffer.getvalue())


def _arm_order(frame: pd.DataFrame, arms: list[str]) -> pd.DataFrame:
    """Rows in scenario arm order (stable otherwise)."""
    if frame.empty or "arm" not in frame:
        return frame
    rank = {arm: i for i, arm in enumerate(arms)}
    order = frame["arm"].map(lambda a: rank.get(a, len(rank)))
    keys = ["point"] if "point" in frame else []
    ranked = frame.assign(_rank=order)
    ranked = ranked.sort_values([*keys, "_rank"], kind="stable")
    out = ranked.drop(columns="_rank").reset_index(drop=True)
    out.attrs = frame.attrs
    return out


# -- HTML ------------------------------------------------------------------------------------
STYLE = """
body{font:17px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
color:#1d1d1f;background:#fff;margin:0}
main{max-width:1180px;margin:0 auto;padding:28px 32px 60px}
h1{font-size:2em;margin:.2em 0 .1em}h2{font-size:1.45em;margin:1.8em 0 .5em;
border-bottom:2px solid #e5e5e5;padding-bottom:.2em}h3{font-size:1.1em;margin:1.2em 0 .4em}
.question{font-size:1.2em;color:#333;margin:.2em 0 1em}
.banner{padding:12px 16px;border-radius:6px;margin:14px 0;font-weight:600}
.warn{background:#fff4e0;border-left:6px solid #E69F00}.bad{background:#fde8e4;
border-left:6px solid #D55E00}.okay{background:#e6f4ef;border-left:6px solid #009E73}
table{border-collapse:collapse;margin:8px 0 16px;font-size:.9em}
th,td{padding:5px 10px;border-bottom:1px solid #e1e1e1;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr:nth-child(even) td{background:#fafafa}.sure{font-weight:700}
figure{margin:22px 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{color:#444;margin-top:4px}code{font-size:.92em;background:#f3f3f3;padding:1px 4px}
details summary{cursor:pointer;font-weight:600;margin:8px 0}.muted{color:#666}
footer{margin-top:3em;padding-top:1em;border-top:2px solid #e5e5e5;font-size:.88em;color:#444}
"""
HEADLINE_METRICS: tuple[str, ...] = (
    "poster",
    "peak_poster",
    "took_off",
    "t10",
    "t50",
    "reach",
    "posts",
    "cross_unit",
)
MAX_ROWS = 3000


def page(data: ReportData) -> str:
    """The report as one HTML document (inline style, images as data URIs)."""
    m = data.results.manifest
    name = _e(m.get("name", "sweep"))
    parts = [f"<h1>{name}</h1>"]
    if m.get("question"):
        parts.append(f'<p class="question">{_e(m["question"])}</p>')
    parts += [_scenario(m), _runs(data), _contrasts(data), _effects(data)]
    general = [f for f in data.figures if f.name not in SECTION_FIGURES]
    if general:
        parts.append("<h2>Figures</h2>")
        parts += [_figure(f) for f in general]
    robustness = robustness_section(data.results)  # (two arms and design points or more)
    parts += [_summary(data), robustness, _sensitivity(data), _provenance(data)]
    body = "\n".join(p for p in parts if p)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{name}: sweep report</title><style>{STYLE}</style></head>"
        f"<body><main>\n{body}\n</main></body></html>\n"
    )


def _figure(fig: Figured) -> str:
    return (
        f'<figure><img src="{fig.data_uri}" alt="{_e(fig.caption)}">'
        f"<figcaption>{_e(fig.caption)}</figcaption></figure>"
    )


def _section_figures(data: ReportData, section: str) -> str:
    return "".join(_figure(f) for f in data.figures if SECTION_FIGURES.get(f.name) == section)


def _effects(data: ReportData) -> str:
    """The forest plot: effect sizes across design points."""
    shown = _section_figures(data, "contrasts")
    if not shown:
        return ""
    return (
        "<h2>Effect sizes across design points</h2><p>How the paired difference between arms "
        "changes over the design: one row per design point (all values in "
        "<code>contrasts.csv</code>). A row whose interval excludes 0 is a difference the "
        "replications resolve at that point.</p>" + shown
    )


def _scenario(m: dict[str, Any]) -> str:
    spec = m.get("scenario", {})
    head = spec.get("scenario", {})
    design = spec.get("design", {})
    kind = design_kind(m)
    rows = [
        ("Design", kind + (f", {design.get('samples')} samples" if kind in SAMPLED else "")),
        ("Design points", str(m.get("design_points", "?"))),
        ("Replications", f"{m.get('replications', '?')} per point and arm (paired seeds)"),
        ("Weeks", str(head.get("steps") or m.get("resolved", {}).get("base", {}).get("steps", ""))),
    ]
    for axis in spec.get("axes", []):
        if axis.get("values") is not None:
            span = ", ".join(short_value(v) for v in axis["values"])
        else:
            bounds = _axis_bounds(axis)
            low, high = bounds if bounds is not None else ("?", "?")
            own = "" if axis.get("bounds") is not None else ", the parameter's range"
            span = f"{short_value(low)} to {short_value(high)} ({axis.get('scale', 'linear')}{own})"
        rows.append((f"Axis <code>{_e(axis['param'])}</code>", _e(span)))
    resolved = m.get("resolved", {})
    for arm in m.get("arms", []):
        changes = resolved.get("arms", {}).get(arm, {})
        text = ", ".join(f"{k} = {short_value(v)}" for k, v in changes.items()) or "no changes"
        tag = " (baseline)" if arm == m["arms"][0] else ""
        rows.append((f"Arm <b>{_e(arm)}</b>{tag}", _e(text)))
    base = resolved.get("base", {})
    chart = resolved.get("org_chart")
    if chart:  # (org.size is the chart's, not a setting)
        rows.append(("Organisation", _e(f"{head.get('org_csv')} ({chart['people']:,} people)")))
    shown = {k: v for k, v in base.items() if not (chart and k == "org.size")}
    fixed = ", ".join(f"{k} = {short_value(v)}" for k, v in shown.items()) or "defaults"
    rows.append(("Fixed parameters", _e(fixed)))
    cells = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return f"<h2>Scenario</h2><table>{cells}</table>"


def _axis_bounds(axis: dict[str, Any]) -> tuple[float, float] | None:
    from simulator.scenario import Axis, axis_bounds

    return axis_bounds(Axis.model_validate(axis))


def _runs(data: ReportData) -> str:
    c = data.counts
    out = ["<h2>Runs</h2>"]
    out.append(
        "<table><tr><th>Planned</th><th>Finished</th><th>Failed</th><th>Not run</th></tr>"
        f'<tr><td class="n">{c["planned"]:,}</td><td class="n">{c["ok"]:,}</td>'
        f'<td class="n">{c["failed"]:,}</td><td class="n">{c["missing"]:,}</td></tr></table>'
    )
    if c["ok"] == 0 and c["failed"] == 0:
        out.append(
            '<p class="banner bad">No run has finished yet: the sweep has not run, or is '
            "still starting. There is nothing to summarise.</p>"
        )
    elif c["ok"] == 0:
        out.append(
            '<p class="banner bad">No run finished successfully: there is nothing to '
            "summarise. The errors of the failed runs are listed below.</p>"
        )
    elif c["missing"] > 0:
        out.append(
            f'<p class="banner warn">Partial results: {c["missing"]:,} of {c["planned"]:,} '
            "planned runs have not run (the sweep was interrupted or is still running). "
            "Everything below describes the finished runs only; resume the sweep to "
            "complete it.</p>"
        )
    elif c["failed"] > 0:
        out.append(
            f'<p class="banner warn">Every planned run was attempted, but {c["failed"]:,} '
            "failed (listed below); they are counted but left out of every statistic.</p>"
        )
    else:
        out.append('<p class="banner okay">Complete: every planned run finished.</p>')
    shard = data.results.manifest.get("shard")
    if shard:
        out.append(
            f'<p class="banner warn">Shard {_e(shard)}: this folder holds a share of the'
            " scenario's runs (every arm of some replications at each point): every summary,"
            " figure and test in this report is of that share; `orgsim merge` puts the"
            " shards together.</p>"
        )
    outcomes = data.results.outcomes
    failed = outcomes[outcomes["status"] != "ok"] if not outcomes.empty else outcomes
    if not failed.empty:
        out.append("<h3>Failed runs</h3><table><tr><th>Error</th><th>Runs</th>")
        out.append("<th>Arms</th><th>Example (point, arm, replication)</th></tr>")
        kinds = failed["error"].fillna("").astype(str).str.replace(r"\d+", "#", regex=True)
        for _, group in list(failed.groupby(kinds, sort=False))[:20]:
            first = group.iloc[0]
            error = first["error"]
            arms = ", ".join(sorted(map(str, group["arm"].unique())))
            example = f"{first['point']}, {first['arm']}, {first['replication']}"
            out.append(
                f"<tr><td><code>{_e(error or 'unknown error')}</code></td>"
                f'<td class="n">{len(group):,}</td><td>{_e(arms)}</td><td>{_e(example)}</td></tr>'
            )
        out.append("</table>")
    return "".join(out)


def _contrasts(data: ReportData) -> str:
    arms = data.results.arms
    if len(arms) < 2:
        return "<h2>Paired contrasts</h2><p>One arm only: nothing to contrast.</p>"
    if data.pooled.empty:
        return ""
    head = (
        f"<h2>Paired contrasts</h2><p>Each arm minus the baseline <b>{_e(arms[0])}</b>, "
        "run by run on the same seeds (pairs by design point and replication; a pair with a "
        "failed run or a missing value is dropped). Bold: the 95 % CI excludes 0 (and no "
        "pair was dropped for a missing value).</p>"
    )
    outcomes = data.results.outcomes
    custom = outcomes.attrs.get("measures")  # (the scenario's own outcomes, shown as well)
    shown = [*HEADLINE_METRICS, *of_table(outcomes.attrs)]
    pooled = data.pooled[data.pooled["metric"].isin(shown)]
    none = pooled[pooled["n"] == 0]
    pooled = pooled[pooled["n"] > 0]
    points = data.contrasts["point"].nunique() if not data.contrasts.empty else 0
    title = f"<h3>Over all {points} design points</h3>" if points > 1 else ""
    out = [head, title, _contrast_table(pooled, [], custom) if not pooled.empty else ""]
    finished = set(ok_runs(outcomes)["arm"]) if not outcomes.empty else set()
    unrun = [a for a in arms if a not in finished]
    tried = set(outcomes["arm"]) if not outcomes.empty else set()
    failed = [a for a in unrun if a in tried]  # every run of theirs failed
    waiting = [a for a in unrun if a not in tried]
    if failed:  # an arm with no finished run at all: say so once, not per metric
        out.append(
            f'<p class="muted">Every run of {_e(", ".join(failed))} failed: nothing to pair'
            " with the baseline (the failed runs' errors are in the folder's failed/"
            " table).</p>"
        )
    if waiting:
        out.append(
            f'<p class="muted">No finished runs yet for {_e(", ".join(waiting))}: nothing to'
            " pair with the baseline (partial results; run the sweep again to resume).</p>"
        )
    none = none.iloc[0:0] if arms[0] in unrun else none[~none["arm"].isin(unrun)]
    if not none.empty:
        missing = "; ".join(f"{r.arm}: {label(str(r.metric), custom)}" for r in none.itertuples())
        out.append(
            f'<p class="muted">No complete pairs (failed runs, or a milestone never '
            f"reached) for: {_e(missing)}.</p>"
        )
    per = data.contrasts[(data.contrasts["metric"] == "poster") & (data.contrasts["n"] > 0)]
    if 1 < points <= 40 and not per.empty:
        axes = [a for a in data.results.axes if a in data.contrasts.columns]
        out += [
            "<h3>Final share posting, by design point</h3>",
            _contrast_table(per, axes, custom),
        ]
    elif points > 40:
        out.append('<p class="muted">Contrasts per design point: <code>contrasts.csv</code>.</p>')
    return "".join(out)


def _contrast_table(
    frame: pd.DataFrame, axes: list[str], custom: Mapping[str, Any] | None = None
) -> str:
    """The paired contrasts of ``frame`` as a table (``custom``: the scenario's own
    outcomes' measures, for :func:`_num`)."""
    head = "".join(f"<th>{_e(a)}</th>" for a in axes)
    rows = [
        f"<table><tr>{head}<th>Outcome</th><th>Arm</th><th>Baseline</th><th>Arm mean</th>"
        "<th>Difference [95 % CI]</th><th>Pairs</th><th>d<sub>z</sub></th></tr>"
    ]
    for _, r in frame.iterrows():
        metric = str(r["metric"])
        n, pairs = int(r["n"]), int(r["pairs"])
        sure = (r["ci_low"] > 0 or r["ci_high"] < 0) and n == pairs  # (none left out)
        used = f"{n:,}" if n == pairs else f"{n:,} of {pairs:,}<sup>*</sup>"
        num = partial(_num, metric=metric, custom=custom)
        diff = (
            f"{num(r['mean_diff'], diff=True)} [{num(r['ci_low'], diff=True)}, "
            f"{num(r['ci_high'], diff=True)}]"
        )
        cells = "".join(f'<td class="n">{short_value(r[a])}</td>' for a in axes)
        own = r.get("arm_values") or ""  # (an arm that sets a swept parameter itself)
        theirs = r.get("baseline_values") or ""  # (the baseline does)
        said = [f"at {own}"] if own else []
        said += [f"against {r['baseline']} at {theirs}"] if theirs else []
        arm = f"{r['arm']} ({'; '.join(said)})" if axes and said else r["arm"]
        rows.append(
            f"<tr>{cells}<td>{_e(label(metric, custom))}</td><td>{_e(arm)}</td>"
            f'<td class="n">{num(r["mean_baseline"])}</td>'
            f'<td class="n">{num(r["mean_arm"])}</td>'
            f'<td class="n{" sure" if sure else ""}">{diff}</td>'
            f'<td class="n">{used}</td><td class="n">{_num(r["d_z"], "")}</td></tr>'
        )
    note = (
        f'<p class="muted"><sup>*</sup> {LEFT_OUT[0].upper()}{LEFT_OUT[1:]}; it is not bold even'
        " when its CI excludes 0. How often each arm reached 10 %: take-off probability.</p>"
        if (frame["n"] < frame["pairs"]).any()
        else ""
    )
    return "".join(rows) + "</table>" + note


def _summary(data: ReportData) -> str:
    s = data.summary
    if s.empty:
        return "<h2>Summary</h2><p>No finished runs to summarise.</p>"
    axes = [a for a in data.results.axes if a in s.columns]
    head = "".join(f"<th>{_e(a)}</th>" for a in ["Point", *axes, "Arm", "Outcome"])
    head += "<th>Runs ok / failed</th><th>n</th><th>Mean [95 % CI]</th><th>SD</th>"
    head += "<th>Median</th><th>10-90 %</th>"
    rows = [f"<table><tr>{head}</tr>"]
    custom = data.results.outcomes.attrs.get("measures")
    for _, r in s.head(MAX_ROWS).iterrows():
        m = str(r["metric"])
        num = partial(_num, metric=m, custom=custom)
        cells = "".join(f'<td class="n">{short_value(r[c])}</td>' for c in ["point", *axes])
        rows.append(
            f"<tr>{cells}<td>{_e(r['arm'])}</td><td>{_e(m)}</td>"
            f'<td class="n">{r["n_ok"]} / {r["n_failed"]}</td><td class="n">{r["n"]}</td>'
            f'<td class="n">{num(r["mean"])} [{num(r["ci_low"])}, '
            f'{num(r["ci_high"])}]</td><td class="n">{num(r["sd"])}</td>'
            f'<td class="n">{num(r["median"])}</td>'
            f'<td class="n">{num(r["q10"])} to {num(r["q90"])}</td></tr>'
        )
    more = (
        f"<p class='muted'>First {MAX_ROWS:,} of {len(s):,} rows.</p>" if len(s) > MAX_ROWS else ""
    )
    return (
        "<h2>Summary</h2><p>Every outcome per design point and arm over the finished runs "
        "(t10/t50/t90 over the runs that reached the milestone, deepest_level over those in "
        "which some level reached 10 % posters; took_off is the take-off "
        "probability with a Wilson interval). All rows are in <code>summary.csv</code>.</p>"
        f"<details><summary>Show the table ({len(s):,} rows)</summary>{''.join(rows)}"
        f"</table>{more}</details>"
    )


SENSITIVITY_WHAT = {
    "sobol": "Sobol first-order and total indices",
    "morris": "Morris μ*",
    "rbd_fast": "Given-data first-order indices S1 (RBD-FAST)",
}
"""What the sensitivity figures show, by method."""


def _index_method(table: pd.DataFrame, kind: str) -> str:
    """The method of a sensitivity table's indices (the design's, if the table is empty)."""
    if not table.empty and "method" in table:
        return str(table["method"].iloc[0])
    return kind if kind in ("sobol", "morris") else "rbd_fast"


def _sensitivity(data: ReportData) -> str:
    table = data.sensitivity
    notes = "".join(f"<li>{_e(n)}</li>" for n in data.notes)
    if table is None:
        return f"<h2>Notes</h2><ul>{notes}</ul>" if notes else ""
    method = _index_method(table, design_kind(data.results.manifest))
    about = (
        "Given-data first-order indices, RBD-FAST (SALib; Tarantola et al. 2006, Plischke "
        "2010, with Tissot &amp; Prieur's 2012 bias correction), read from the design points "
        "as they are: S1, the share of the variance of the outcome over the design points "
        "that follows one parameter alone (as Sobol's S1; interactions are not measured, so "
        "the indices may add up to less than 1, and a parameter that acts only together with "
        "others can read as none: a Sobol design measures that, as ST; estimated from few "
        "points they may also add up to more than 1, and a note says where: then read them "
        "as a ranking); <i>S1_conf</i>: "
        "half-width of SALib's 95 % bootstrap interval over half the points (about twice "
        "the estimate's own spread)."
        if method == "rbd_fast"
        else "Variance-based (Sobol) indices, SALib: S1, the share of the outcome's variance over "
        "the design that a parameter explains alone; ST, its share including all its "
        "interactions; <i>_conf</i>: half-width of the 95 % bootstrap interval over the "
        "design's sample rows (it does not separate replication noise from effects: see "
        "below)."
        if method == "sobol"
        else "Morris elementary effects, SALib: μ* (mu_star), the mean absolute change of the "
        "outcome for a step of one parameter (a fraction of its range), ranks influence; "
        "σ (sigma) large against μ* flags interactions or non-linearity; μ (mu) keeps the "
        "sign; <i>mu_star_conf</i>: half-width of the 95 % bootstrap interval over the "
        "trajectories (it does not separate replication noise from effects: see below)."
    )
    out = [
        "<h2>Sensitivity</h2>",
        f"<p>{about} Replications are averaged per design point first; rows "
        "<i>arm - baseline</i> analyse the paired difference between arms. All rows are in "
        "<code>sensitivity.csv</code>.</p>",
        _noise_summary(table, method),
        f"<ul>{notes}</ul>" if notes else "",
        _section_figures(data, "sensitivity"),
    ]
    if table.empty:
        out.append("<p>No indices could be computed.</p>")
        return "".join(out)
    values = [c for c in table.columns if c not in ("method", "arm", "metric", "parameter")]
    head = "".join(f"<th>{_e(c)}</th>" for c in ["Arm", "Outcome", "Parameter", *values])
    rows = [f"<table><tr>{head}</tr>"]
    for _, r in table.iterrows():
        cells = "".join(f'<td class="n">{_index_cell(r[c], c)}</td>' for c in values)
        muted = ' class="muted"' if _within_noise(r) else ""
        rows.append(
            f"<tr{muted}><td>{_e(r['arm'])}</td><td>{_e(r['metric'])}</td>"
            f"<td>{_e(r['parameter'])}</td>{cells}</tr>"
        )
    out.append("".join(rows) + "</table>")
    return "".join(out)


NOISE_RULE = {
    "rbd_fast": (
        "A parameter is marked <i>within noise</i> (its row in grey) when its S1 is not above "
        "<i>S1_noise</i>, one floor for all parameters of an arm and outcome: the S1 that "
        "none of D parameters with no effect at all (D the parameters swept) exceeds in 95 % "
        "of cases on these point means (measured on dummy parameters: random orderings of the "
        "same points, for which replication noise and the other parameters are chance), so "
        "that these runs cannot tell it from one that does nothing. Parameters that do "
        "nothing are thus drawn as effects in at most 1 arm and outcome of 20, not each of "
        "them in 1 of 20 (which, over many arms, outcomes and parameters, drew a few nearly "
        "always); this needs no replications, and the bias correction keeps the noise from "
        "raising S1 on average."
    ),
    "sobol": (
        "A parameter is marked <i>within noise</i> (its row in grey) when the lower end of "
        "its ST interval is not above the noise share, the ST that replication noise alone "
        "gives a parameter with no effect at all, so that these runs cannot tell it from "
        "one that does nothing."
    ),
    "morris": (
        "A parameter is marked <i>within noise</i> (its row in grey) when the lower end of "
        "its μ* interval is not above <i>mu_star_noise</i>, the largest μ* that replication "
        "noise alone gives a parameter with no effect at all (√(2 v) / Δ, v the noise "
        "variance of a point mean, Δ the Morris step), so that these runs cannot tell it "
        "from one that does nothing."
    ),
}


def _noise_summary(table: pd.DataFrame, method: str) -> str:
    """Per arm and outcome: how much of the variance is replication noise, and which
    parameters cannot be told apart from it."""
    if table.empty or "noise" not in table:
        return ""
    effect = {
        "sobol": "with Sobol, it adds the noise share to every ST",
        "morris": "with Morris, it gives every parameter a μ* of up to <i>mu_star_noise</i>",
        "rbd_fast": "with RBD-FAST, it spreads every S1 around its value",
    }.get(method, "")
    why = (
        "Each design point has its own seeds, so the mean of its replications still carries "
        "replication noise, independent from point to point, which the indices cannot tell "
        f"from a parameter's effect ({effect}). "
        "<i>noise</i>: the share of the variance of the point means that is replication "
        "noise (the variance among a point's replications over their number, averaged over "
        "the points, over the variance of the point means). "
    )
    rows = [
        "<table><tr><th>Arm</th><th>Outcome</th><th>Noise share</th>"
        "<th>Within noise, above 0 (more replications may tell)</th>"
        "<th>Within noise, interval holds 0 (more design points too)</th></tr>"
    ]
    for (arm, metric), part in table.groupby(["arm", "metric"], sort=False):
        alone = part[~part["parameter"].astype(str).str.contains(" × ")]
        share = float(alone["noise"].iloc[0])
        if share != share and method != "rbd_fast":  # NaN (RBD-FAST judges without it)
            rows.append(
                f'<tr><td>{_e(arm)}</td><td>{_e(metric)}</td><td class="n">–</td>'
                "<td>not measured</td><td></td></tr>"
            )
            continue
        above: list[str] = []
        zero: list[str] = []
        for _, r in alone.iterrows():
            if verdict(r["within_noise"]):
                (zero if _holds_zero(r) else above).append(str(r["parameter"]))
        strong = ' class="sure"' if share >= 0.5 else ""
        shown = f"{100 * share:.1f} %" if share == share else "–"
        if method == "rbd_fast":  # one verdict, against the floor (the interval is SALib's)
            above, zero = [*zero, *above], [f"{float(alone['S1_noise'].iloc[0]):.3f}"]
        rows.append(
            f"<tr><td>{_e(arm)}</td><td>{_e(metric)}</td>"
            f'<td class="n"><span{strong}>{shown}</span></td>'
            f"<td>{_e(', '.join(above) or 'none')}</td>"
            f"<td>{_e(', '.join(zero) or 'none')}</td></tr>"
        )
    if method == "rbd_fast":
        rows[0] = (
            "<table><tr><th>Arm</th><th>Outcome</th><th>Noise share</th>"
            "<th>Within noise (S1 not above the floor)</th><th>Floor (S1_noise)</th></tr>"
        )
    index, more = ("an index", "design points (a larger N)")
    if method == "morris":
        index, more = ("μ*", "trajectories")
    advice = (
        f"Where {index} is above 0 but not above the noise, more replications can tell a small "
        "effect from none (a parameter with no effect at all stays within noise however many); "
        f"where its interval holds 0, more {more} are needed too."
    )
    if method == "rbd_fast":
        advice = (
            "The floor falls as design points are added (about as 1 / N) and rises a little "
            "with the number of parameters swept; more replications "
            "lower it only where the noise share is large."
        )
    return (
        "<h3>Replication noise</h3>"
        f"<p>{why}{NOISE_RULE.get(method, '')} {advice}</p>" + "".join(rows) + "</table>"
    )


def _holds_zero(row: pd.Series) -> bool:
    """Whether the 95 % interval of the index judged (ST, Morris μ*, or RBD-FAST S1) reaches
    down to 0."""
    index = "ST" if "ST" in row.index else "mu_star" if "mu_star" in row.index else "S1"
    return bool(row[index] - row[f"{index}_conf"] <= 0)


def _within_noise(row: pd.Series) -> bool:
    return "within_noise" in row.index and verdict(row["within_noise"])


def _index_cell(value: Any, column: str) -> str:
    """A cell of the indices' table: the noise share as a percentage, the verdict in words."""
    if column == "within_noise":
        return "within noise" if verdict(value) else ("–" if value is pd.NA else "")
    if column == "noise":
        try:
            v = float(value)
        except (TypeError, ValueError):
            return _e(value)
        return "–" if v != v else f"{100 * v:.1f} %"
    return _num(value, "")


def _provenance(data: ReportData) -> str:
    m = data.results.manifest
    versions = ", ".join(f"{k} {v}" for k, v in m.get("versions", {}).items())
    attempts = []
    for a in m.get("attempts", []):
        attempts.append(
            f"attempt {a.get('attempt')}: {a.get('started_utc', '?')} to "
            f"{a.get('finished_utc', 'unfinished')}, {a.get('runs_done', '?')} done, "
            f"{a.get('runs_failed', '?')} failed, code {a.get('code_revision') or 'unknown'}"
        )
    items = [
        ("Results folder", str(data.results.path)),
        ("Scenario digest", str(m.get("digest", "?"))),
        ("Root seed", str(m.get("root_seed", "?"))),
        *_chart_items(m),
        ("Code revision", str(m.get("code_revision") or "unknown")),
        ("Versions", versions),
        ("Attempts", "; ".join(attempts) or "none"),
        ("Report written", data.created_utc),
    ]
    lines = "".join(f"<div><b>{k}:</b> {_e(v)}</div>" for k, v in items)
    return f"<footer><h3>Provenance</h3>{lines}</footer>"


def _chart_items(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    """The org chart the runs were on (``[scenario] org_csv``), with its files' SHA-256."""
    chart = manifest.get("resolved", {}).get("org_chart")
    if not chart:
        return []
    header = manifest.get("scenario", {}).get("scenario", {})
    files = [("Org chart", header.get("org_csv"), chart.get("sha256"))]
    files.append(("Informal ties", header.get("ties_csv"), chart.get("ties_sha256")))
    return [
        (
            what,
            f"{path} ({chart['people']:,} people; SHA-256 {digest})"
            if i == 0
            else f"{path} (SHA-256 {digest})",
        )
        for i, (what, path, digest) in enumerate(files)
        if path
    ]


def _e(value: Any) -> str:
    return html.escape(str(value))


def _num(
    value: Any, metric: str, diff: bool = False, custom: Mapping[str, Any] | None = None
) -> str:
    """A number for a table: a share, flag or score as a percentage (points for
    differences), by the measure's kind (:func:`simulator.measures.in_percent`; a scenario's
    own outcomes: ``custom``, as ``outcomes.attrs["measures"]`` carries them)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return _e(value)
    if v != v:  # NaN
        return "–"
    sign = "+" if diff and v > 0 else ""
    if in_percent(metric, custom):
        return f"{sign}{100 * v:.1f}" + (" pp" if diff else " %")
    if abs(v) >= 1000:
        return f"{sign}{v:,.0f}"
    return f"{sign}{v:.3g}"
