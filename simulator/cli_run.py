"""Quick runs from the command line: ``orgsim run`` (one setting, with replications) and
``orgsim compare`` (leader strategies on the same seeds, paired).

Each writes its tables (``series.csv``, ``levels.csv``, ``outcomes.csv``; ``paired.csv`` for
a comparison; ``people.csv`` with ``--people``), a record of what ran (``run.json`` or
``compare.json``), a figure, and ``scenario.toml``, the same settings as a scenario file to
sweep; then prints a summary. Registered on the ``orgsim`` group by :mod:`simulator.cli`
(``_register``). The engine, pandas and the plots are imported when a command runs, so that
``orgsim --help`` stays quick.
"""

from __future__ import annotations

import json
import math
import shlex
import sys
from collections.abc import Callable, Container, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from simulator import __version__
from simulator.params import MECHANISM_PARAMS, STRATEGIES, VARIANT_PATH, Params, setting_value

if TYPE_CHECKING:  # imported where used: `orgsim --help` and a sweep's parent need none
    import pandas as pd
    from tqdm import tqdm

OPTION_PATHS = {"size": "org.size", "steps": "steps", "strategy": "leaders.strategy"}


# -- options shared by run and compare -------------------------------------------------------
def _parse_sets(ctx: click.Context, param: click.Parameter, values: Sequence[str]) -> dict:
    updates: dict[str, Any] = {}
    for text in values:
        key, sep, raw = text.partition("=")
        key = key.strip()
        if not sep or not key:
            raise click.BadParameter(f"expected KEY=VALUE, got {text!r}", ctx, param)
        try:
            value = setting_value(key, raw)
        except ValueError as err:
            raise click.BadParameter(str(err), ctx, param) from None
        variant = VARIANT_PATH.fullmatch(key)
        if variant:  # the params table's mechanism[bass].p means mechanism bass, its p
            name, key = variant.group(1), f"mechanism.{variant.group(2)}"
            if key == "mechanism.name":
                raise click.BadParameter(
                    f"{text!r}: choose the mechanism with --mechanism or mechanism.name", ctx, param
                )
            if updates.setdefault("mechanism.name", name) != name:
                raise click.BadParameter(f"{text!r} conflicts with another mechanism", ctx, param)
        updates[key] = value
    return updates


def _common_options(strategy: bool) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    defaults = Params()
    options = [
        click.option(
            "--size",
            type=int,
            help=f"Organisation size, people (org.size; default {defaults.org.size}).",
        ),
        click.option(
            "--steps", type=int, help=f"Weeks to simulate (steps; default {defaults.steps})."
        ),
        click.option(
            "--seed",
            type=click.IntRange(min=0),
            default=1,
            show_default=True,
            help="Root seed; replication r uses replication_seeds(seed, reps)[r].",
        ),
        click.option(
            "--reps",
            type=click.IntRange(min=1),
            default=1,
            show_default=True,
            help="Replications (each its own generated organisation, or its own informal"
            " ties, follows and audiences on --org-csv).",
        ),
        click.option(
            "--mechanism",
            type=click.Choice(list(MECHANISM_PARAMS)),
            help=f"Adoption rule (mechanism.name; default {defaults.mechanism.name}).",
        ),
        click.option(
            "--set",
            "sets",
            multiple=True,
            metavar="KEY=VALUE",
            callback=_parse_sets,
            help="Any parameter by dotted path, e.g. culture.openness=0.3 (repeatable; "
            "the value is read as JSON when it can be). See 'orgsim params'.",
        ),
        click.option(
            "--org-csv",
            type=click.Path(exists=True, dir_okay=False),
            help="Import a real org chart (columns id, manager_id; optional unit, title, level).",
        ),
        click.option(
            "--ties-csv",
            type=click.Path(exists=True, dir_okay=False),
            help="Informal ties of the imported org chart (columns source, target).",
        ),
        click.option(
            "--out",
            required=True,
            type=click.Path(file_okay=False),
            help="Output folder (created; our files in it are overwritten).",
        ),
        click.option(
            "--people",
            is_flag=True,
            help="Also write people.csv: a row per person and replication (and arm), who they"
            " are and the first week each was a listener and a poster (the columns of a"
            " sweep's people table); the other tables are the same with it or without.",
        ),
        click.option("--quiet", is_flag=True, help="Print nothing but errors."),
    ]
    if strategy:
        options.insert(
            0,
            click.option(
                "--strategy",
                type=click.Choice(STRATEGIES),
                help=f"Leader strategy (leaders.strategy; default {defaults.leaders.strategy}).",
            ),
        )

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


def _updates(options: dict[str, Any]) -> dict[str, Any]:
    """The settings made over the defaults: the options given, then ``--set`` (by dotted
    path; validated by :meth:`Params.with_updates`)."""
    updates = {path: options[o] for o, path in OPTION_PATHS.items() if options.get(o) is not None}
    if options.get("mechanism") is not None:
        updates["mechanism.name"] = options["mechanism"]
        chosen = options["sets"].get("mechanism.name", options["mechanism"])
        if chosen != options["mechanism"]:
            raise click.UsageError(
                f"--mechanism {options['mechanism']} conflicts with --set for mechanism {chosen}"
            )
    for option, path in OPTION_PATHS.items():
        given, set_to = options.get(option), options["sets"].get(path)
        if given is not None and set_to is not None and set_to != given:
            raise click.UsageError(
                f"--{option} {given} conflicts with --set {path}={set_to}: give one of them"
            )
    updates.update(options["sets"])
    if options["ties_csv"] and not options["org_csv"]:
        raise click.UsageError("--ties-csv needs --org-csv")
    if options["org_csv"] and "org.size" in updates:
        raise click.UsageError(
            f"--size and org.size (here {updates['org.size']!r}) do not apply with --org-csv:"
            " the organisation is the table's people"
        )
    return updates


# -- running ---------------------------------------------------------------------------------
class _Runner:
    """Runs replications; with an imported org chart, loads it once per replication; with
    ``--people``, follows each run's people (the same numbers: :mod:`simulator.people`)."""

    def __init__(self, options: dict[str, Any], params: Params) -> None:
        from simulator.seeds import replication_seeds

        self.options = options
        self.seeds = replication_seeds(options["seed"], options["reps"])
        self._org: tuple[int, Any] = (-1, None)
        self.params = params
        """The parameters run and recorded (``org.size``: an imported table's people)."""
        if options["org_csv"]:
            org = self.org(0, params)  # a bad org chart fails before anything runs
            self.params = params.with_updates({"org.size": org.n})

    def org(self, rep: int, params: Params) -> Any:
        if not self.options["org_csv"]:
            return None
        if self._org[0] != rep:
            from simulator.orgimport import load_org_csv
            from simulator.seeds import RunStreams

            org = load_org_csv(
                self.options["org_csv"],
                params.org,
                RunStreams(self.seeds[rep]).generator("org"),
                ties=self.options["ties_csv"],
            )
            self._org = (rep, org)
        return self._org[1]

    def run(self, rep: int, params: Params) -> tuple[pd.DataFrame, ...]:
        """Replication ``rep``'s series, levels and outcomes, then with ``--people`` its
        people (:func:`simulator.people.frame`)."""
        from simulator.engine import Engine
        from simulator.people import frame as people_frame

        model = Engine(params, rng=self.seeds[rep], org=self.org(rep, params))
        if self.options["people"]:
            model.recorder.follow(model.state)
        model.run()
        frames = [model.series(), model.levels(), model.outcomes()]
        if self.options["people"]:
            frames.append(people_frame(model))
        return tuple(frame.assign(replication=rep) for frame in frames)


def _progress(total: int, quiet: bool) -> tqdm:
    from tqdm import tqdm

    return tqdm(total=total, unit="run", disable=True if quiet or total < 2 else None, leave=False)


@click.command()
@_common_options(strategy=True)
@click.pass_context
def run(ctx: click.Context, **options: Any) -> None:
    """Run one setting (with replications) and write tables, a figure and run.json."""
    import pandas as pd

    started = _now()
    updates = _updates(options)
    runner = _Runner(options, Params().with_updates(updates))
    params = runner.params
    out = _out_dir(options["out"])
    frames: list[tuple[pd.DataFrame, ...]] = []
    with _progress(options["reps"], options["quiet"]) as bar:
        for rep in range(options["reps"]):
            frames.append(runner.run(rep, params))
            bar.update()
    tables = [pd.concat(f, ignore_index=True) for f in zip(*frames, strict=True)]
    series, levels, outcomes = tables[:3]
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
        click.echo(
            f"Results in {out} (series.csv, levels.csv, outcomes.csv,{_people_csv(options)}"
            " run.json, adoption.png, scenario.toml)"
        )
        click.echo(sweep)


def _arms(ctx: click.Context, param: click.Parameter, value: str) -> list[str]:
    arms = [a.strip() for a in value.split(",") if a.strip()]
    bad = [a for a in arms if a not in STRATEGIES]
    if bad:
        raise click.BadParameter(
            f"unknown strategy {bad[0]!r}; choose from {', '.join(STRATEGIES)}", ctx, param
        )
    if len(set(arms)) < 2 or len(set(arms)) != len(arms):
        raise click.BadParameter(
            f"{value!r}: needs at least two different strategies, e.g. model,delegate", ctx, param
        )
    return arms


@click.command()
@click.option(
    "--arms",
    default="model,delegate",
    show_default=True,
    callback=_arms,
    help="Leader strategies to compare, comma-separated; the first is the baseline.",
)
@_common_options(strategy=False)
@click.pass_context
def compare(ctx: click.Context, arms: list[str], **options: Any) -> None:
    """Compare leader strategies on the same seeds (common random numbers), paired."""
    import pandas as pd

    from simulator.analysis import LEFT_OUT, paired_differences

    started = _now()
    if "leaders.strategy" in options["sets"] or options.get("strategy") is not None:
        raise click.UsageError(
            "compare sets leaders.strategy per arm: choose the strategies with --arms"
            f" (here {','.join(arms)})"
        )
    updates = _updates(options)
    runner = _Runner(options, Params().with_updates(updates))
    params = runner.params
    by_arm = {arm: params.with_updates({"leaders.strategy": arm}) for arm in arms}
    out = _out_dir(options["out"])
    frames: dict[str, list[tuple[pd.DataFrame, ...]]] = {arm: [] for arm in arms}
    with _progress(len(arms) * options["reps"], options["quiet"]) as bar:
        for rep in range(options["reps"]):
            for arm in arms:
                frames[arm].append(runner.run(rep, by_arm[arm]))
                bar.update()
    tables = [
        _arm_first(pd.concat([f.assign(arm=arm) for arm in arms for f in _column(frames[arm], k)]))
        for k in range(len(frames[arms[0]][0]))
    ]
    series, levels, outcomes = tables[:3]
    outcomes.attrs["steps"] = params.steps  # (weeks to a milestone: differences within it)
    paired = paired_differences(outcomes, arms)
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
        click.echo(
            f"Results in {out} (series.csv, levels.csv, outcomes.csv, paired.csv,"
            f"{_people_csv(options)} compare.json, compare.png, scenario.toml)"
        )
        click.echo(sweep)


def _column(frames: list[tuple[pd.DataFrame, ...]], k: int) -> list[pd.DataFrame]:
    return [f[k] for f in frames]


def _people(tables: list[pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The people table to write, if the runs followed their people (``--people``)."""
    return {"people": tables[3]} if len(tables) > 3 else {}


def _people_csv(options: dict[str, Any]) -> str:
    """people.csv in the closing line's list of files, if written."""
    return " people.csv," if options["people"] else ""


def _arm_first(frame: pd.DataFrame) -> pd.DataFrame:
    columns = ["arm", *(c for c in frame.columns if c != "arm")]
    return frame[columns].reset_index(drop=True)


# -- output ----------------------------------------------------------------------------------
def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _out_dir(path: str) -> Path:
    out = Path(path)
    out.mkdir(parents=True, exist_ok=True)
    return out


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
        "finished_utc": _now(),
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
        made=f"(orgsim {__version__}, {_now()})",
    )
    (out / "scenario.toml").write_text(text, encoding="utf-8")
    return (
        f"As a results folder (report, resume, robustness, diff, export): orgsim sweep"
        f" {shlex.quote(str(out / 'scenario.toml'))} (-> results/{scenario_name(out)}; the same"
        " settings on a sweep's seeds)"
    )


def _digests(options: dict[str, Any]) -> dict[str, str]:
    """The SHA-256 of the org and ties tables used, to tell a file edited since."""
    from simulator.orgimport import file_digest

    return {
        f"{key}_sha256": file_digest(options[key])
        for key in ("org_csv", "ties_csv")
        if options[key]
    }


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
