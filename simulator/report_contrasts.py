"""The report's "Paired contrasts" section: each arm minus the baseline, run by run on the
same seeds, over all design points and (up to 40 points) per point, with what could not be
paired said.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

import pandas as pd

from simulator.analysis import LEFT_OUT, ok_runs
from simulator.measures import label, of_table
from simulator.report_data import ReportData
from simulator.report_html import escape, number
from simulator.results import short_value

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
"""The outcomes of the page's paired contrasts (and the scenario's own; ``contrasts.csv``
has every outcome)."""


def contrasts_section(data: ReportData) -> str:
    """The "Paired contrasts" section as HTML (a line, with one arm only)."""
    arms = data.results.arms
    if len(arms) < 2:
        return "<h2>Paired contrasts</h2><p>One arm only: nothing to contrast.</p>"
    if data.pooled.empty:
        return ""
    shared = data.results.outcomes.attrs.get("orgs") is not None  # (orgs = k: runs share them)
    head = (
        f"<h2>Paired contrasts</h2><p>Each arm minus the baseline <b>{escape(arms[0])}</b>, "
        "run by run on the same seeds (pairs by design point and replication; a pair with a "
        "failed run or a missing value is dropped). Bold: the 95 % CI"
        f"{' over pairs' if shared else ''} excludes 0 (and no pair was dropped for a"
        " missing value).</p>"
    )
    head += _org_notes(data)
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
            f'<p class="muted">Every run of {escape(", ".join(failed))} failed: nothing to pair'
            " with the baseline (the failed runs' errors are in the folder's failed/"
            " table).</p>"
        )
    if waiting:
        out.append(
            f'<p class="muted">No finished runs yet for {escape(", ".join(waiting))}: nothing to'
            " pair with the baseline (partial results; run the sweep again to resume).</p>"
        )
    none = none.iloc[0:0] if arms[0] in unrun else none[~none["arm"].isin(unrun)]
    if not none.empty:
        missing = "; ".join(f"{r.arm}: {label(str(r.metric), custom)}" for r in none.itertuples())
        out.append(
            f'<p class="muted">No complete pairs (failed runs, or a milestone never '
            f"reached) for: {escape(missing)}.</p>"
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


def _org_notes(data: ReportData) -> str:
    """What the intervals of the contrasts hold for when the runs share organisations
    (:func:`simulator.nesting.note`; "" without ``orgs``): the pooled table's notes, and the
    per-point tables' where one has an interval over organisations and the other not
    (``orgs = 1``: one organisation per point, so that interval only over all points). The
    report's Summary points here."""
    said = list(data.pooled.attrs.get("notes", []))
    per = [n for n in data.contrasts.attrs.get("notes", []) if n not in said]
    if not said:
        return ""
    text = " ".join(f"{escape(n)}." for n in said)
    differ = ("organisations" in data.pooled) != ("organisations" in data.contrasts)
    if per and differ and data.contrasts["point"].nunique() > 1:
        text += " By design point: " + " ".join(f"{escape(n)}." for n in per)
    if "organisations" in data.pooled or "organisations" in data.contrasts:
        points = data.contrasts["point"].nunique() if not data.contrasts.empty else 0
        files = [
            f"<code>{name}</code>"
            for name, has in (
                ("contrasts.csv", "organisations" in data.contrasts),  # (per design point)
                ("contrasts_pooled.csv", "organisations" in data.pooled and points > 1),
            )
            if has
        ]
        of = f" (of {' and '.join(files)})" if files else ""
        text += (
            " Here: <i>Difference [95 % CI]</i> is over pairs (the CI columns), <i>Over"
            f" organisations</i> the org_ci columns{of}."
        )
    return f'<p class="muted">{text}</p>'


def _contrast_table(
    frame: pd.DataFrame, axes: list[str], custom: Mapping[str, Any] | None = None
) -> str:
    """The paired contrasts of ``frame`` as a table (``custom``: the scenario's own
    outcomes' measures, for :func:`number`)."""
    head = "".join(f"<th>{escape(a)}</th>" for a in axes)
    shared = "organisations" in frame  # (runs that share organisations: orgs = k)
    over = "<th>Over organisations [95 % CI]</th><th>Organisations</th>" if shared else ""
    rows = [
        f"<table><tr>{head}<th>Outcome</th><th>Arm</th><th>Baseline</th><th>Arm mean</th>"
        f"<th>Difference [95 % CI]</th>{over}<th>Pairs</th><th>d<sub>z</sub></th></tr>"
    ]
    for _, r in frame.iterrows():
        metric = str(r["metric"])
        n, pairs = int(r["n"]), int(r["pairs"])
        sure = (r["ci_low"] > 0 or r["ci_high"] < 0) and n == pairs  # (none left out)
        used = f"{n:,}" if n == pairs else f"{n:,} of {pairs:,}<sup>*</sup>"
        num = partial(number, metric=metric, custom=custom)
        diff = (
            f"{num(r['mean_diff'], diff=True)} [{num(r['ci_low'], diff=True)}, "
            f"{num(r['ci_high'], diff=True)}]"
        )
        cells = "".join(f'<td class="n">{short_value(r[a])}</td>' for a in axes)
        span = (  # (none where the organisations are fewer than two or one per pair)
            f"[{num(r['org_ci_low'], diff=True)}, {num(r['org_ci_high'], diff=True)}]"
            if shared and (pd.notna(r["org_ci_low"]) or pd.notna(r["org_ci_high"]))
            else "–"
        )
        orgs = (
            f'<td class="n">{span}</td><td class="n">{int(r["organisations"])}</td>'
            if shared
            else ""
        )
        own = r.get("arm_values") or ""  # (an arm that sets a swept parameter itself)
        theirs = r.get("baseline_values") or ""  # (the baseline does)
        said = [f"at {own}"] if own else []
        said += [f"against {r['baseline']} at {theirs}"] if theirs else []
        arm = f"{r['arm']} ({'; '.join(said)})" if axes and said else r["arm"]
        rows.append(
            f"<tr>{cells}<td>{escape(label(metric, custom))}</td><td>{escape(arm)}</td>"
            f'<td class="n">{num(r["mean_baseline"])}</td>'
            f'<td class="n">{num(r["mean_arm"])}</td>'
            f'<td class="n{" sure" if sure else ""}">{diff}</td>{orgs}'
            f'<td class="n">{used}</td><td class="n">{number(r["d_z"], "")}</td></tr>'
        )
    note = (
        f'<p class="muted"><sup>*</sup> {LEFT_OUT[0].upper()}{LEFT_OUT[1:]}; it is not bold even'
        " when its CI excludes 0. How often each arm reached 10 %: take-off probability.</p>"
        if (frame["n"] < frame["pairs"]).any()
        else ""
    )
    return "".join(rows) + "</table>" + note
