"""The report's "Sensitivity" section: which swept parameters matter, by the design's method
(Sobol, Morris, or given-data RBD-FAST), how much of the variance is replication noise and
which parameters cannot be told apart from it, and the indices' table.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from simulator.report_data import ReportData, design_kind, index_method
from simulator.report_html import escape, number, section_figures
from simulator.sensitivity import verdict


def sensitivity_section(data: ReportData) -> str:
    """The "Sensitivity" section as HTML, or the report's notes alone (under "Notes")
    where there are no indices; ``""`` with neither."""
    table = data.sensitivity
    notes = "".join(f"<li>{escape(n)}</li>" for n in data.notes)
    if table is None:
        return f"<h2>Notes</h2><ul>{notes}</ul>" if notes else ""
    method = index_method(table, design_kind(data.results.manifest))
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
        section_figures(data, "sensitivity"),
    ]
    if table.empty:
        out.append("<p>No indices could be computed.</p>")
        return "".join(out)
    values = [c for c in table.columns if c not in ("method", "arm", "metric", "parameter")]
    head = "".join(f"<th>{escape(c)}</th>" for c in ["Arm", "Outcome", "Parameter", *values])
    rows = [f"<table><tr>{head}</tr>"]
    for _, r in table.iterrows():
        cells = "".join(f'<td class="n">{_index_cell(r[c], c)}</td>' for c in values)
        muted = ' class="muted"' if _within_noise(r) else ""
        rows.append(
            f"<tr{muted}><td>{escape(r['arm'])}</td><td>{escape(r['metric'])}</td>"
            f"<td>{escape(r['parameter'])}</td>{cells}</tr>"
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
                f'<tr><td>{escape(arm)}</td><td>{escape(metric)}</td><td class="n">–</td>'
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
            f"<tr><td>{escape(arm)}</td><td>{escape(metric)}</td>"
            f'<td class="n"><span{strong}>{shown}</span></td>'
            f"<td>{escape(', '.join(above) or 'none')}</td>"
            f"<td>{escape(', '.join(zero) or 'none')}</td></tr>"
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
            return escape(value)
        return "–" if v != v else f"{100 * v:.1f} %"
    return number(value, "")
