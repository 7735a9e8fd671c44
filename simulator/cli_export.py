"""Command line for spreadsheet tables of a results folder: ``orgsim export``.

Registered on the ``orgsim`` group by :mod:`simulator.cli`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from simulator.cli_paths import ResultsDir
from simulator.errors import did_you_mean

TABLE_CHOICES = ("outcomes", "series", "levels", "people", "stats", "all")
"""The values of ``--table`` (:data:`simulator.export.TABLES`, or all of them)."""
FORMAT_CHOICES = ("csv", "parquet")
OPTIONS = {
    "tables": "'--table'",
    "fmt": "'--format'",
    "metric": "'--metric'",
    "wide": "'--wide'",
    "results": "'RESULTS_DIR'",
}
"""The command-line name of each argument an :class:`~simulator.export.ExportError` names."""


def _one_of(allowed: Sequence[str], what: str) -> click.types.FuncParamType:
    """A parameter type taking one of ``allowed``; else an error listing them and naming
    the closest (click's Choice lists them only)."""

    def convert(value: str) -> str:
        if value in allowed:
            return value
        match = did_you_mean(value, allowed, cutoff=0.5)
        hint = f"; did you mean {match!r}?" if match else ""
        raise click.BadParameter(
            f"{value!r} is not a {what}; choose from {', '.join(allowed)}{hint}"
        )

    convert.__name__ = what
    return click.types.FuncParamType(convert)


@click.command()
@click.argument("results_dir", type=ResultsDir())
@click.option(
    "--table",
    type=_one_of(TABLE_CHOICES, "table"),
    default="all",
    show_default=True,
    help="outcomes: a row per run; series: a row per run and week; levels: a row per run, "
    "week and level; people: a row per run and person ([record] people = true); stats: n, "
    "mean, sd and 10/50/90 % quantiles over the replications per design point, arm, series "
    "metric and week; all: each of them.",
)
@click.option(
    "--format",
    "fmt",
    type=_one_of(FORMAT_CHOICES, "format"),
    default="csv",
    show_default=True,
    help="File format of the tables.",
)
@click.option(
    "--wide",
    is_flag=True,
    help="The series as a row per run and a column per week (step_0, step_1, ...) of one "
    "metric (--metric), written as series_wide_<metric>.",
)
@click.option(
    "--metric",
    default=None,
    help="The series column of --wide (default poster, the share posting).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    help="Where to write the tables and README.txt (default <results_dir>/export).",
)
def export(
    results_dir: str, table: str, fmt: str, wide: bool, metric: str | None, out: str | None
) -> None:
    """Write a results folder's tables as spreadsheets (CSV) or Parquet files: each run's
    swept values as columns (NetLogo BehaviorSpace's table, spreadsheet and stats
    outputs), with a README.txt saying what each column is and its unit.

    Only finished runs are exported: a sweep stopped before its end exports the runs it
    finished, and says how many of those planned. A finished run whose series, levels or
    people file is lost is exported in the outcomes table only (not as a row of blanks in
    the others), and said.
    """
    from simulator.export import ExportError
    from simulator.export import export as write

    if metric is not None and not wide:
        raise click.UsageError("--metric chooses the metric of --wide: add --wide")
    if wide and table not in ("series", "all"):
        raise click.UsageError(
            f"--wide shapes the series table, not {table}: give --table series (or all)"
        )
    try:
        write(
            results_dir,
            table,
            fmt=fmt,
            wide=wide,
            metric=metric or "poster",
            out=Path(out) if out is not None else None,
            say=click.echo,
        )
    except ExportError as err:
        if err.argument == "results":
            raise click.ClickException(f"{err.value}: {err.problem}") from None
        raise click.BadParameter(
            f"{err.value!r} is {err.problem}", param_hint=OPTIONS[err.argument]
        ) from None
