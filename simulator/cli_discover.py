"""Command line for scenario discovery: ``orgsim discover`` (PRIM on a results folder).

Registered on the ``orgsim`` group by :mod:`simulator.cli`. The EMA Workbench, an optional
extra, is imported only when the command runs (it takes seconds).
"""

from __future__ import annotations

from pathlib import Path

import click

from simulator.cli_paths import ResultsDir

OPTIONS = {
    "where": "'--where'",
    "arm": "'--arm'",
    "contrast": "'--contrast'",
    "threshold": "'--threshold'",
    "results": "'RESULTS_DIR'",
}
"""The command-line name of each argument a :class:`~simulator.discovery.DiscoveryError`
names."""


@click.command()
@click.argument("results_dir", type=ResultsDir())
@click.option(
    "--where",
    "condition",
    required=True,
    metavar="CONDITION",
    help="The runs of interest: an outcome, one of < <= > >=, a number (shares as fractions; "
    "inf: a milestone never reached), clauses joined by 'and', e.g. \"poster < 0.2\". With "
    "--contrast, on the paired difference.",
)
@click.option("--arm", default=None, help="Ask about this arm's runs (default: the only arm).")
@click.option(
    "--contrast",
    metavar="ARM",
    default=None,
    help="Ask about ARM minus the baseline arm (the scenario's first), pair by pair (same "
    'design point and replication): "poster > -0.05" is within 5 points of the baseline.',
)
@click.option(
    "--threshold",
    type=click.FloatRange(0.0, 1.0, min_open=True),
    default=0.8,
    show_default=True,
    help="Density to reach: the box taken is the one of highest coverage among the boxes on "
    "PRIM's trajectory in which the condition holds for at least this share of the runs.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    help="Where to write the box (JSON, CSV) and its figures (default <results_dir>/discover).",
)
def discover(
    results_dir: str,
    condition: str,
    arm: str | None,
    contrast: str | None,
    threshold: float,
    out: str | None,
) -> None:
    """Scenario discovery: the region of the swept parameters where a condition on the
    outcomes holds (PRIM, from the EMA Workbench: pip install -e '.[discover]').

    For a sweep with a sampled or grid design over two parameters or more. Prints the box
    (each restricted parameter's range, its coverage, density and mass) and writes it with
    PRIM's peeling trajectory to --out: box.json, box.csv, trajectory.csv, trajectory.png
    and limits.png (a second question into the same folder replaces them).
    """
    from simulator.discovery import (
        DiscoveryError,
        question,
        require_prim,
        run_prim,
    )
    from simulator.discovery_plots import write_discovery

    try:
        require_prim()  # (before the folder is read: said at once)
        asked = question(results_dir, condition, arm=arm, contrast=contrast)
        click.echo(
            f"discover: PRIM on {len(asked.y):,} {asked.unit} of {results_dir} (the EMA"
            " Workbench takes a few seconds to load) ...",
            err=True,
        )
        found = run_prim(asked, threshold=threshold)
    except DiscoveryError as err:
        if err.argument == "arm" and err.value is None:  # (neither option given)
            raise click.UsageError(f"give --arm ARM or --contrast ARM: {err.problem}") from None
        value = f"{err.value!r}: " if err.value is not None and err.argument != "results" else ""
        hint = OPTIONS.get(err.argument, err.argument)
        raise click.BadParameter(value + err.problem, param_hint=hint) from None
    click.echo(found.table())
    folder = Path(out) if out is not None else Path(results_dir) / "discover"
    written = write_discovery(found, folder)
    click.echo(f"written to {folder}: {', '.join(p.name for p in written)}")
