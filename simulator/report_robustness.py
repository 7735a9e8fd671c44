"""The report's "Robustness across the design" section: which arm holds up over the design
points, as :func:`simulator.robustness.robustness` ranks them, in an HTML table worded by
:func:`simulator.robustness_words.row_in_words` (as ``orgsim robustness`` words its text
table), with the verdict and the notes on what was left out.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from simulator import measures
from simulator.analysis import ok_runs
from simulator.results import Results
from simulator.robustness import RobustnessError, robustness
from simulator.robustness_words import row_in_words, verdict

REPORT_METRICS: tuple[str, ...] = ("poster", "t50")
"""The outcomes of the report's robustness table: the final share posting (the report's
forest plot) and the weeks to half posting."""

ABOUT = (
    "<h2>Robustness across the design</h2><p>Which arm holds up over the design points, "
    "each point weighing the same: <i>regret</i> at a point is how far an arm's mean "
    "falls short of the best arm's there (never below 0), its mean over the points with "
    "a 95 % interval (a bootstrap of the replications within each point, paired across "
    "arms; where arms are close it can lie above the estimate: the ranking is not "
    "settled; with a scenario's <code>orgs</code>, of each point's organisations: see the "
    "notes), and its largest. <i>Best or tied at</i>: the share of points where no arm "
    "is better. <i>Worse 10 %</i>: the point mean that 10 % of points fall "
    "below (above for weeks). Weeks to a milestone never reached count as the week "
    "after the horizon, so such means are lower bounds. <code>orgsim robustness</code> "
    "ranks any outcome.</p>"
)
HEAD = (
    "<tr><th>Outcome</th><th>Arm</th><th>Mean regret [95 % CI]</th><th>Max regret (at)"
    "</th><th>Best or tied at</th><th>Mean</th><th>Worse 10 %</th><th>Worst (at)</th>"
    "<th>Runs not reaching it</th></tr>"
)


def robustness_section(results: Results, metrics: Sequence[str] = REPORT_METRICS) -> str:
    """The report's "Robustness across the design" section as HTML: ``""`` unless the
    results hold two arms or more and two design points or more with finished runs.

    Per outcome of ``metrics``, a row per arm, ranked; below the table, per outcome, the
    verdict and the table's notes (replications or points left out and why, runs that
    never reached a milestone), or why the outcome could not be ranked.
    """
    finished = ok_runs(results.outcomes)
    if len(results.arms) < 2 or finished.empty or finished["point"].nunique() < 2:
        return ""
    rows, said = [HEAD], []
    for metric in metrics:
        try:
            table = robustness(results, metric)
        except (RobustnessError, ValueError) as err:
            said.append(f"{metric}: not ranked ({err})")
            continue
        said += [verdict(table), *table.attrs["notes"]]
        weeks = measures.kind(metric, results.outcomes.attrs) == "weeks"
        for r in table.to_dict("records"):
            w = row_in_words(r, table.attrs["measures"])
            at = f" ({r['max_regret_label']})" if r["max_regret"] > 0 else ""
            cells = [
                f"{w['mean_regret']} [{w['regret_low']}, {w['regret_high']}]",
                w["max_regret"] + at,
                f"{w['best_or_tied']} of {r['points']} points",
                w["mean"],
                w["tail"],
                f"{w['worst']} ({r['worst_label']})",
                f"{r['censored']} of {r['runs']}" if weeks else "",
            ]
            rows.append(
                f"<tr><td>{html.escape(metric)}</td><td>{html.escape(str(r['arm']))}</td>"
                + "".join(f'<td class="n">{html.escape(c)}</td>' for c in cells)
                + "</tr>"
            )
    notes = "".join(f"<li>{html.escape(s)}</li>" for s in dict.fromkeys(said))  # (each once)
    return f"{ABOUT}<table>{''.join(rows)}</table><ul>{notes}</ul>"
