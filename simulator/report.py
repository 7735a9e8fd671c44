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
as such (as are finished runs whose series or levels file is lost, and runs made by
different versions), and a folder whose runs all failed gets a report of its errors. Another report
into the same folder removes the files the last one wrote and this one does not.

This module writes the files; the rest of the report is, by concept:
:mod:`simulator.report_data` (the tables and notes gathered, :func:`analyse`),
:mod:`simulator.report_figures` (the figures chosen and rendered, :func:`figures`),
:mod:`simulator.report_page` (the HTML page, :func:`page`) and its sections
(:mod:`simulator.report_contrasts`, :mod:`simulator.report_robustness`,
:mod:`simulator.report_sensitivity`, with the pieces they share in
:mod:`simulator.report_html`; :mod:`simulator.report_people`, for a folder that keeps its
people, writes ``people_summary.csv`` and ``who_adopts.png`` too). Their public names are
importable from here as well.
"""

from __future__ import annotations

from pathlib import Path

from simulator.report_contrasts import HEADLINE_METRICS
from simulator.report_data import CONTRAST_METRICS, Figured, ReportData, analyse, design_kind
from simulator.report_figures import (
    CURVES_BY,
    FOREST_METRIC,
    RANKED_BY,
    SENSITIVITY_WHAT,
    VS_METRICS,
    figures,
    short_label,
)
from simulator.report_html import SECTION_FIGURES
from simulator.report_page import MAX_ROWS, STYLE, page
from simulator.report_people import figures as people_figures
from simulator.report_people import gather as gather_people
from simulator.report_people import write as write_people
from simulator.report_sensitivity import NOISE_RULE
from simulator.results import load

__all__ = [
    "CONTRAST_METRICS",
    "CURVES_BY",
    "FOREST_METRIC",
    "HEADLINE_METRICS",
    "MAX_ROWS",
    "NOISE_RULE",
    "RANKED_BY",
    "SECTION_FIGURES",
    "SENSITIVITY_WHAT",
    "STYLE",
    "VS_METRICS",
    "WRITTEN",
    "Figured",
    "ReportData",
    "analyse",
    "design_kind",
    "figures",
    "page",
    "short_label",
    "write_report",
]


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
    if not data.contrasts.empty and data.contrasts["point"].nunique() > 1:  # (over all points)
        data.pooled.to_csv(out / "contrasts_pooled.csv", index=False)
        written.append("contrasts_pooled.csv")
    if data.sensitivity is not None:
        data.sensitivity.to_csv(out / "sensitivity.csv", index=False)
        written.append("sensitivity.csv")
    data.figures = figures(data)
    data.people = gather_people(results)  # ([record] people: who adopts, and when)
    data.figures += people_figures(data.people)  # (none without people)
    written += write_people(data.people, out)
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
