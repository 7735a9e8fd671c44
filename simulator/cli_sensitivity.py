"""Command line for sensitivity indices: ``orgsim sensitivity`` (a results folder's indices,
:func:`simulator.sensitivity.sensitivity`, as a table on the terminal and a CSV file).

Registered on the ``orgsim`` group by :mod:`simulator.cli` (``_register``).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import click

from simulator.cli_choice import Choice
from simulator.cli_paths import ResultsDir

SHOWN = ("S1", "ST", "mu_star", "S1_noise", "mu_star_noise", "noise")
"""Index columns the terminal table shows (all are in the CSV file)."""


@click.command()
@click.argument("results_dir", type=ResultsDir())
@click.option(
    "--metric",
    "metrics",
    multiple=True,
    help="An outcome to analyse (repeat for several; default: poster, peak_poster, t10, t50, "
    "reach, posts).",
)
@click.option(
    "--method",
    type=Choice(["sobol", "morris", "rbd_fast"]),
    default=None,
    help="Default: the design's own (sobol, morris), given-data RBD-FAST for grid, points, "
    "lhs and montecarlo designs of 16 distinct points or more; rbd_fast on a sobol or morris"
    " design checks it.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    help="Where to write the table (default <results_dir>/sensitivity.csv).",
)
def sensitivity(
    results_dir: str, metrics: tuple[str, ...], method: str | None, out: str | None
) -> None:
    """Sensitivity indices of a results folder's swept parameters, per arm and for the paired
    difference between arms, with the parameters that replication noise could explain marked
    '~' (within noise).

    A folder whose sweep has not finished is said to be one; when no index can be computed
    (a Sobol or Morris design needs every design point), the command says why and fails.
    """
    from simulator.results import atomic_write, load, partial_note
    from simulator.sensitivity import SENSITIVITY_METRICS, SensitivityError, verdict
    from simulator.sensitivity import sensitivity as indices

    results = load(results_dir)
    try:
        table = indices(results, list(metrics) or SENSITIVITY_METRICS, method=method)
    except SensitivityError as err:  # (the folder named, as for the folder's other errors)
        raise click.ClickException(f"{results_dir}: {err}") from None
    if table.empty:  # (the notes say why, the error what it means)
        for note in table.attrs.get("notes", []):
            click.echo(f"note: {note}")
        why = partial_note(results, "The notes above", plural=True) or "the notes above say why"
        raise click.ClickException(f"{results_dir}: no sensitivity indices: {why}")
    partial = partial_note(results, "The indices", plural=True)
    for note in ([partial] if partial else []) + table.attrs.get("notes", []):
        click.echo(f"note: {note}")
    shown = [c for c in SHOWN if c in table]
    head = ["arm", "metric", "parameter", *shown, ""]
    rows = [head]
    for _, r in table.iterrows():
        mark = "~" if verdict(r.get("within_noise")) else ""
        rows.append(
            [str(r["arm"]), str(r["metric"]), str(r["parameter"]), *map(_cell, r[shown]), mark]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    for row in rows:
        cells = zip(row, widths, strict=True)
        line = "  ".join(c.ljust(w) if i < 3 else c.rjust(w) for i, (c, w) in enumerate(cells))
        click.echo(line.rstrip())
    click.echo("~: within noise (cannot be told from a parameter with no effect)")
    target = Path(out) if out is not None else Path(results_dir) / "sensitivity.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, lambda tmp: table.to_csv(tmp, index=False))
    click.echo(f"written to {target}")


def _cell(value: Any) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return ""
    return "" if math.isnan(number) else f"{number:.3f}"
