"""What ``orgsim run`` and ``orgsim compare`` (:mod:`simulator.cli_run`) write and print.

Into the output folder (:data:`WRITES`): the tables (``series.csv``, ``levels.csv``,
``outcomes.csv``; ``paired.csv`` for a comparison; ``people.csv`` with ``--people``), the
record of what ran (``run.json`` or ``compare.json``: the command line, versions, seed,
digests of the imported tables, times, parameters), ``scenario.toml`` (the same runs as a
scenario file: its sweep gives them again) and a figure. The folder holds one command's
output: :func:`out_dir` refuses a sweep's results folder or the other command's output, and
a command run again into its own folder removes what the earlier run wrote and this one
does not (``people.csv``). On the terminal: a run's summary (final poster share, weeks
to 10 % and 50 % posters) or a comparison's paired table, then where the results are and
how to sweep them. pandas, mesa and the plots are imported when a command writes, so that
``orgsim --help`` stays quick.
"""

from __future__ import annotations

import json
import math
import shlex
import sys
from collections.abc import Container, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from simulator import __version__
from simulator.params import Params
from simulator.results_files import now_utc

if TYPE_CHECKING:  # imported where used: `orgsim --help` needs none
    import pandas as pd


WRITES: dict[str, tuple[str, ...]] = {
    "run": (
        "series.csv",
        "levels.csv",
        "outcomes.csv",
        "people.csv",
        "run.json",
        "adoption.png",
        "scenario.toml",
    ),
    "compare": (
        "series.csv",
        "levels.csv",
        "outcomes.csv",
        "paired.csv",
        "people.csv",
        "compare.json",
        "compare.png",
        "scenario.toml",
    ),
}
"""The files each command writes into its ``--out``, in the order its closing line names
them (``people.csv`` with ``--people`` only)."""


def out_dir(path: str, command: str, inputs: Sequence[str | None] = ()) -> Path:
    """The output folder ``--out`` of ``command`` (``run`` or ``compare``), created if
    missing; checked before anything runs.

    Raises :class:`click.ClickException` if the folder is a sweep's results folder (it has a
    ``manifest.json``) or holds the other command's output (its files not in
    ``command``'s :data:`WRITES`): the folder would mix two commands' files; or if one of
    the ``inputs`` (the org chart, the ties table) is a file the command would write over.
    """
    out = Path(path)
    for given in filter(None, inputs):
        if any(Path(given).resolve() == (out / n).resolve() for n in WRITES[command]):
            raise click.ClickException(
                f"{given} is in --out {out} under a name orgsim {command} writes"
                f" ({', '.join(WRITES[command])}): give another --out, or rename it"
            )
    held = ""
    if (out / "manifest.json").is_file():
        held = "a sweep's results (manifest.json): give another --out"
    else:
        for other in WRITES.keys() - {command}:
            theirs = [n for n in WRITES[other] if n not in WRITES[command] and (out / n).exists()]
            if theirs:
                held = (
                    f"the output of orgsim {other} ({', '.join(theirs)}): give another --out,"
                    " or remove those files"
                )
    if held:
        raise click.ClickException(f"--out {out} holds {held}")
    out.mkdir(parents=True, exist_ok=True)
    return out


def _written(out: Path, command: str, people: bool) -> list[str]:
    """The files ``command`` writes this time; without ``people``, removes the
    ``people.csv`` an earlier run of it wrote there (its record file says so: a
    ``people.csv`` of anyone else's is left alone)."""
    names = [n for n in WRITES[command] if people or n != "people.csv"]
    record = out / f"{command}.json"
    if not people and (out / "people.csv").is_file() and record.is_file():
        try:
            kept = json.loads(record.read_text(encoding="utf-8"))["record"]["people"] is True
        except (ValueError, KeyError, TypeError):  # (not ours to judge: leave it)
            kept = False
        if kept:
            (out / "people.csv").unlink()
    return names


def write_run(
    out: Path,
    ctx: click.Context,
    options: dict[str, Any],
    updates: dict[str, Any],
    params: Params,
    started: str,
    tables: Sequence[pd.DataFrame],
) -> None:
    """Write what ``orgsim run`` ran (tables, ``run.json``, ``scenario.toml``,
    ``adoption.png``) into ``out`` and, unless ``--quiet``, print its summary.

    ``tables`` are the series, levels and outcomes over replications, then with ``--people``
    the people; ``updates`` the settings made over the defaults (for ``scenario.toml``)."""
    series, levels, outcomes = tables[:3]
    written = _written(out, "run", options["people"])
    _write_tables(out, series=series, levels=levels, outcomes=outcomes, **_people(tables))
    _write_json(out / "run.json", ctx, options, params, started)
    sweep = _write_scenario(out, ctx, options, updates, params)
    from simulator import plots

    people = int(levels[levels["replication"] == 0].groupby("level")["people"].first().sum())
    title = (
        f"{people:,} people · leaders {params.leaders.strategy} · {params.mechanism.name}"
        f" · {_runs(options)}"
    )
    plots.save(plots.run_figure(series, levels, title), out / "adoption.png")
    if not options["quiet"]:
        click.echo(f"orgsim run: {title}")
        for line in _summary(outcomes, params.steps):
            click.echo(f"  {line}")
        click.echo(f"Results in {out} ({', '.join(written)})")
        click.echo(sweep)


def write_compare(
    out: Path,
    ctx: click.Context,
    options: dict[str, Any],
    updates: dict[str, Any],
    params: Params,
    started: str,
    tables: Sequence[pd.DataFrame],
    arms: Sequence[str],
) -> None:
    """Write what ``orgsim compare`` ran (tables with ``paired.csv``, ``compare.json``,
    ``scenario.toml``, ``compare.png``) into ``out`` and, unless ``--quiet``, print the
    paired table.

    ``tables`` are as for :func:`write_run`, each with an ``arm`` column first; ``arms`` the
    leader strategies compared, the first the baseline."""
    from simulator.analysis import LEFT_OUT, paired_differences

    series, levels, outcomes = tables[:3]
    outcomes.attrs["steps"] = params.steps  # (weeks to a milestone: differences within it)
    paired = paired_differences(outcomes, arms)
    written = _written(out, "compare", options["people"])
    _write_tables(
        out, series=series, levels=levels, outcomes=outcomes, paired=paired, **_people(tables)
    )
    _write_json(out / "compare.json", ctx, options, params, started, arms=arms)
    sweep = _write_scenario(out, ctx, options, updates, params, arms)
    from simulator import plots

    per_arm = {arm: series[series["arm"] == arm] for arm in arms}
    plots.save(plots.compare_figure(per_arm, None), out / "compare.png")
    if not options["quiet"]:
        click.echo(f"orgsim compare: {', '.join(arms)} · {_runs(options)} (same seeds)")
        click.echo(_paired_table(paired))
        if (paired["n"] < paired["pairs"]).any():
            click.echo(f"n of N: {LEFT_OUT}")
        click.echo(f"Results in {out} ({', '.join(written)})")
        click.echo(sweep)


# -- files -----------------------------------------------------------------------------------
def _people(tables: Sequence[pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The people table to write, if the runs followed their people (``--people``)."""
    return {"people": tables[3]} if len(tables) > 3 else {}


def _write_tables(out: Path, **tables: pd.DataFrame) -> None:
    for name, table in tables.items():
        table.to_csv(out / f"{name}.csv", index=False)


def _write_json(
    path: Path,
    ctx: click.Context,
    options: dict[str, Any],
    params: Params,
    started: str,
    **extra: Any,
) -> None:
    import mesa
    import numpy as np

    record = {
        "command": _command(ctx),
        "orgsim_version": __version__,
        "mesa_version": mesa.__version__,
        "numpy_version": np.__version__,
        "python_version": sys.version.split()[0],
        "seed": options["seed"],
        "reps": options["reps"],
        "record": {"people": options["people"]},  # (as a scenario's [record] says it)
        **({"arms": {"parameter": "leaders.strategy", "values": extra["arms"]}} if extra else {}),
        "org_csv": options["org_csv"],
        "ties_csv": options["ties_csv"],
        **_digests(options),
        "started_utc": started,
        "finished_utc": now_utc(),
        "params": params.model_dump(mode="json"),
    }
    path.write_text(json.dumps(record, indent=2) + "\n")


def _command(ctx: click.Context) -> str:
    """The command line run, as a shell would take it."""
    return shlex.join(["orgsim", *(ctx.obj or {}).get("argv", sys.argv[1:])])


def _write_scenario(
    out: Path,
    ctx: click.Context,
    options: dict[str, Any],
    updates: dict[str, Any],
    params: Params,
    arms: Sequence[str] = (),
) -> str:
    """Write ``scenario.toml``, what the command ran as a scenario; return the line that
    says how to sweep it."""
    from simulator.cli_paths import sweep_folder
    from simulator.scenario_write import command_scenario, scenario_name

    text = command_scenario(
        _command(ctx),
        out,
        params,
        updates,
        seed=options["seed"],
        replications=options["reps"],
        arms=arms,
        org_csv=options["org_csv"],
        ties_csv=options["ties_csv"],
        people=options["people"],
        made=f"(orgsim {__version__}, {now_utc()})",
    )
    (out / "scenario.toml").write_text(text, encoding="utf-8")
    folder = sweep_folder(scenario_name(out))
    return (
        f"As a results folder (report, resume, robustness, diff, export): orgsim sweep"
        f" {shlex.quote(str(out / 'scenario.toml'))} (-> {folder}; the same runs, bit for bit)"
    )


def _digests(options: dict[str, Any]) -> dict[str, str]:
    """The SHA-256 of the org and ties tables used, to tell a file edited since."""
    from simulator.orgimport import file_digest

    return {
        f"{key}_sha256": file_digest(options[key])
        for key in ("org_csv", "ties_csv")
        if options[key]
    }


# -- the terminal ----------------------------------------------------------------------------
def _runs(options: dict[str, Any]) -> str:
    reps = options["reps"]
    return f"{reps} run{'s' if reps > 1 else ''} (seed {options['seed']})"


def _summary(outcomes: pd.DataFrame, steps: int) -> list[str]:
    """Final poster share and weeks to 10 % and 50 % posters, over replications."""
    poster = outcomes["poster"]
    lines = [f"Posters at week {steps}: {poster.median():.1%}"]
    if len(poster) > 1:
        lo, hi = poster.quantile(0.1), poster.quantile(0.9)
        lines[0] += f" (median; 10-90 %: {lo:.1%} to {hi:.1%})"
    for column, share in (("t10", "10 %"), ("t50", "50 %")):
        hit = outcomes[column].dropna()
        text = "not reached"
        if len(hit) == len(outcomes):
            text = f"{hit.median():g}" + (" (median)" if len(hit) > 1 else "")
        elif len(hit):
            text = (
                f"{hit.median():g} (median of the {len(hit)} of {len(outcomes)} runs reaching it)"
            )
        lines.append(f"Weeks to {share} posters: {text}")
    return lines


def _paired_table(paired: pd.DataFrame) -> str:
    header = ("metric", "arm", "baseline", "arm mean", "diff", "95 % CI", "d_z", "n")
    rows = [header]
    n, pairs = paired["n"].astype(str), paired["pairs"].astype(str)
    used = n.where(n == pairs, n + " of " + pairs)  # (pairs with a value of those run)
    for r, pairs_used in zip(paired.itertuples(), used, strict=True):
        ci = f"[{_fmt(r.ci_low)}, {_fmt(r.ci_high)}]"
        rows.append(
            (
                str(r.metric),
                str(r.arm),
                _fmt(r.mean_baseline),
                _fmt(r.mean_arm),
                _fmt(r.mean_diff, sign=True),
                ci,
                _fmt(r.d_z),
                pairs_used,
            )
        )
    return align(rows, right=range(2, 8))


def _fmt(x: Any, sign: bool = False) -> str:
    if x is None or not math.isfinite(x):
        return "n/a"
    x = float(x)
    plus = "+" if sign else ""
    if abs(x) >= 1000:
        return f"{x:{plus},.0f}"
    return f"{x:{plus}.1f}" if abs(x) >= 10 else f"{x:{plus}.3f}"


def align(rows: Sequence[Sequence[str]], right: Container[int] = ()) -> str:
    """Rows of text as columns two spaces apart, left-aligned but for the columns numbered
    in ``right`` (the numbers), without trailing spaces: the paired table of ``compare`` and
    the table of ``orgsim params``.

    >>> print(align([("metric", "n"), ("poster", "12")], right={1}))
    metric   n
    poster  12
    """
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    )
