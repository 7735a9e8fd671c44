"""The report as one self-contained HTML page (:func:`page`): inline style, figures as data
URIs, no scripts; its sections in order: the scenario, the runs (and failures), the paired
contrasts (:mod:`simulator.report_contrasts`), effect sizes across design points, the
figures, who adopts and when (:mod:`simulator.report_people`, with ``[record] people``), the
summary table, robustness across the design
(:mod:`simulator.report_robustness`), sensitivity (:mod:`simulator.report_sensitivity`)
and provenance.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from simulator.design import SAMPLED
from simulator.nesting import scenario_row
from simulator.report_contrasts import contrasts_section
from simulator.report_data import ReportData, design_kind, partial_results
from simulator.report_html import SECTION_FIGURES, escape, figure_html, number, section_figures
from simulator.report_people import people_section
from simulator.report_robustness import robustness_section
from simulator.report_sensitivity import sensitivity_section
from simulator.results import short_value
from simulator.results_provenance import differing_versions, versions_differ

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
"""The page's style sheet, inline."""
MAX_ROWS = 3000
"""Rows of the summary table on the page (``summary.csv`` has them all)."""


def page(data: ReportData) -> str:
    """The report as one HTML document (inline style, images as data URIs)."""
    m = data.results.manifest
    name = escape(m.get("name", "sweep"))
    parts = [f"<h1>{name}</h1>"]
    if m.get("question"):
        parts.append(f'<p class="question">{escape(m["question"])}</p>')
    parts += [_scenario(m), _runs(data), contrasts_section(data), _effects(data)]
    general = [f for f in data.figures if f.name not in SECTION_FIGURES]
    if general:
        parts.append("<h2>Figures</h2>")
        parts += [figure_html(f) for f in general]
    robustness = robustness_section(data.results)  # (two arms and design points or more)
    parts += [people_section(data), _summary(data), robustness, sensitivity_section(data)]
    parts.append(_provenance(data))
    body = "\n".join(p for p in parts if p)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{name}: sweep report</title><style>{STYLE}</style></head>"
        f"<body><main>\n{body}\n</main></body></html>\n"
    )


def _effects(data: ReportData) -> str:
    """The forest plot: effect sizes across design points."""
    shown = section_figures(data, "contrasts")
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
        *[(k, escape(v)) for k, v in filter(None, [scenario_row(m)])],  # (with orgs)
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
        rows.append((f"Axis <code>{escape(axis['param'])}</code>", escape(span)))
    resolved = m.get("resolved", {})
    for arm in m.get("arms", []):
        changes = resolved.get("arms", {}).get(arm, {})
        text = ", ".join(f"{k} = {short_value(v)}" for k, v in changes.items()) or "no changes"
        tag = " (baseline)" if arm == m["arms"][0] else ""
        rows.append((f"Arm <b>{escape(arm)}</b>{tag}", escape(text)))
    base = resolved.get("base", {})
    chart = resolved.get("org_chart")
    if chart:  # (org.size is the chart's, not a setting)
        rows.append(("Organisation", escape(f"{head.get('org_csv')} ({chart['people']:,} people)")))
    shown = {k: v for k, v in base.items() if not (chart and k == "org.size")}
    fixed = ", ".join(f"{k} = {short_value(v)}" for k, v in shown.items()) or "defaults"
    rows.append(("Fixed parameters", escape(fixed)))
    cells = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return f"<h2>Scenario</h2><table>{cells}</table>"


def _axis_bounds(axis: dict[str, Any]) -> tuple[float, float] | None:
    from simulator.scenario import Axis, axis_bounds

    return axis_bounds(Axis.model_validate(axis))


def _runs(data: ReportData) -> str:
    c = data.counts
    partial, lost = partial_results(data.results), data.results.lost
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
    elif partial:
        out.append(f'<p class="banner warn">{escape(partial)}</p>')
    elif c["failed"] > 0:
        out.append(
            f'<p class="banner warn">Every planned run was attempted, but {c["failed"]:,} '
            "failed (listed below); they are counted but left out of every statistic.</p>"
        )
    elif not lost.runs:
        out.append('<p class="banner okay">Complete: every planned run finished.</p>')
    if lost.runs:  # (finished, but their series, levels or people file is gone)
        said = lost.said(data.results.path, c["ok"])
        out.append(f'<p class="banner warn">Not complete: {escape(said)}.</p>')
    differ = versions_differ(data.results.path, data.results.manifest.get("attempts", []))
    if differ:  # (as `orgsim merge` warns)
        out.append(f'<p class="banner warn">{escape(differ)}.</p>')
    shard = data.results.manifest.get("shard")
    if shard:
        out.append(
            f'<p class="banner warn">Shard {escape(shard)}: this folder holds a share of the'
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
                f"<tr><td><code>{escape(error or 'unknown error')}</code></td>"
                f'<td class="n">{len(group):,}</td><td>{escape(arms)}</td>'
                f"<td>{escape(example)}</td></tr>"
            )
        out.append("</table>")
    return "".join(out)


def _summary(data: ReportData) -> str:
    s = data.summary
    if s.empty:
        return "<h2>Summary</h2><p>No finished runs to summarise.</p>"
    axes = [a for a in data.results.axes if a in s.columns]
    head = "".join(f"<th>{escape(a)}</th>" for a in ["Point", *axes, "Arm", "Outcome"])
    head += "<th>Runs ok / failed</th><th>n</th><th>Mean [95 % CI]</th><th>SD</th>"
    head += "<th>Median</th><th>10-90 %</th>"
    rows = [f"<table><tr>{head}</tr>"]
    custom = data.results.outcomes.attrs.get("measures")
    for _, r in s.head(MAX_ROWS).iterrows():
        m = str(r["metric"])
        num = partial(number, metric=m, custom=custom)
        cells = "".join(f'<td class="n">{short_value(r[c])}</td>' for c in ["point", *axes])
        rows.append(
            f"<tr>{cells}<td>{escape(r['arm'])}</td><td>{escape(m)}</td>"
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
        + "".join(  # (the Paired contrasts, first on the page, say it in full: said once)
            f'<p class="muted">{escape(n)}</p>'
            if data.pooled.empty
            else f'<p class="muted">'
            f"{escape(n.split(':')[0])}: what the intervals hold for: see Paired contrasts.</p>"
            for n in s.attrs.get("notes", [])
        )
        + f"<details><summary>Show the table ({len(s):,} rows)</summary>{''.join(rows)}"
        f"</table>{more}</details>"
    )


def _provenance(data: ReportData) -> str:
    m = data.results.manifest
    versions = ", ".join(f"{k} {v}" for k, v in m.get("versions", {}).items())
    differ = differing_versions(m.get("attempts", []))  # (as the banner says)
    attempts = []
    for a in m.get("attempts", []):
        v = a.get("versions") or {}
        own = "".join(f", {k} {v.get(k) or 'not recorded'}" for k in differ)
        attempts.append(
            f"attempt {a.get('attempt')}: {a.get('started_utc', '?')} to "
            f"{a.get('finished_utc', 'unfinished')}, {a.get('runs_done', '?')} done, "
            f"{a.get('runs_failed', '?')} failed, code {a.get('code_revision') or 'unknown'}{own}"
        )
    items = [
        ("Results folder", str(data.results.path)),
        ("Scenario digest", str(m.get("digest", "?"))),
        ("Root seed", str(m.get("root_seed", "?"))),
        *_chart_items(m),
        ("Code revision", str(m.get("code_revision") or "unknown")),
        ("Versions (of the first attempt)" if differ else "Versions", versions),
        ("Attempts", "; ".join(attempts) or "none"),
        ("Report written", data.created_utc),
    ]
    lines = "".join(f"<div><b>{k}:</b> {escape(v)}</div>" for k, v in items)
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
