"""Command line for the robustness of arms over a design: ``orgsim robustness`` (a results
folder's :func:`simulator.robustness.robustness` table on the terminal, and as a CSV file).

Registered on the ``orgsim`` group by :mod:`simulator.cli` (``_register``).
"""

from __future__ import annotations

from pathlib import Path

import click

from simulator.cli_choice import Choice
from simulator.cli_paths import ResultsDir
from simulator.results_files import finished_only

RANKING = "The ranking"
"""What a partial folder's note says describes the finished runs only
(:func:`simulator.results_files.partial_note`, the report's banner words)."""
PARTIAL_THEN = finished_only(RANKING)
"""What that note says after how many runs have not run."""


@click.command()
@click.argument("results_dir", type=ResultsDir())
@click.option(
    "--metric",
    default="poster",
    show_default=True,
    help="The outcome to rank the arms by (shares as fractions; weeks to a milestone, or to "
    "a scenario's own first_reaching, never reached count as the week after the horizon).",
)
@click.option(
    "--percentile",
    type=click.FloatRange(0, 50),
    default=10.0,
    show_default=True,
    help="How far into the worse end of the design points' means the 'tail' column is: 10 "
    "is the 10th percentile of a share, the 90th of weeks.",
)
@click.option(
    "--better",
    type=Choice(["higher", "lower"]),
    default=None,
    help="Which way the outcome is better (default: known for each outcome, e.g. higher for "
    "poster, lower for t50, and for a scenario's own from its series and kind; needed for "
    "those with no better way, e.g. leader_attention).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    help="Also write the table to this CSV file.",
)
def robustness(
    results_dir: str, metric: str, percentile: float, better: str | None, out: str | None
) -> None:
    """Which arm holds up across the design points: per arm, the mean of the point means,
    a low percentile and the worst point, and the regret (how far the arm falls short of
    the best arm at each point) as its mean, with a 95 % bootstrap interval, and maximum,
    ranked by mean regret."""
    from simulator.analysis import known_metrics
    from simulator.results import atomic_write, load, partial_note
    from simulator.robustness import RobustnessError
    from simulator.robustness import robustness as rank
    from simulator.robustness_words import row_in_words, verdict

    results = load(results_dir)
    try:  # (robustness() makes this check too: here, so that the error names --metric)
        known_metrics(results.outcomes, [metric])
    except ValueError as err:
        raise click.BadParameter(f"{err} (in {results_dir})", param_hint="'--metric'") from None
    try:
        table = rank(
            results,
            metric,
            percentile=percentile,
            better=better,
            ask="pass --better higher or --better lower",
        )
    except RobustnessError as err:
        raise click.ClickException(f"{results_dir}: {err}") from None
    partial = partial_note(results, RANKING)  # (as the report's banner says it)
    for note in [partial] if partial else []:
        click.echo(f"note: {note}")
    for note in table.attrs["notes"]:
        click.echo(f"note: {note}")
    head = [
        "rank",
        "arm",
        "mean regret",
        "95 % CI",
        "max regret",
        "best or tied at",
        "mean",
        f"worse {percentile:g} %",
        "worst",
        "worst at",
    ]
    rows = [head]
    for place, r in enumerate(table.to_dict("records"), start=1):
        w = row_in_words(r, table.attrs["measures"])  # (as the report's section words it)
        rows.append(
            [
                str(place),
                str(r["arm"]),
                w["mean_regret"],
                f"{w['regret_low']} to {w['regret_high']}",
                w["max_regret"],
                w["best_or_tied"],
                w["mean"],
                w["tail"],
                w["worst"],
                str(r["worst_label"]),
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    left = {1, len(head) - 1}  # (names to the left, numbers to the right)
    for row in rows:
        cells = zip(row, widths, strict=True)
        line = "  ".join(c.ljust(w) if i in left else c.rjust(w) for i, (c, w) in enumerate(cells))
        click.echo(line.rstrip())
    censored = table[table["censored"] > 0]
    for r in censored.to_dict("records"):
        click.echo(f"{r['arm']}: {r['censored']} of {r['runs']} runs never reached {metric}")
    click.echo(verdict(table))
    if out is not None:
        target = Path(out)
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target, lambda tmp: table.to_csv(tmp, index=False))
        click.echo(f"written to {target}")
