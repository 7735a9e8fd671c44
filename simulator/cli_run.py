"""Quick runs from the command line: ``orgsim run`` (one setting, with replications) and
``orgsim compare`` (leader strategies on the same seeds, paired).

Here are their options (``--set`` by dotted path), the settings they make over the defaults
and the runner of replications; what they write (tables, ``run.json`` or ``compare.json``,
``scenario.toml``, a figure) and print is :mod:`simulator.cli_run_output`. Registered on the
``orgsim`` group by :mod:`simulator.cli` (``_register``). The engine, pandas and the plots are
imported when a command runs, so that ``orgsim --help`` stays quick.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import click

from simulator.cli_choice import Choice
from simulator.cli_run_output import out_dir, write_compare, write_run
from simulator.params import MECHANISM_PARAMS, STRATEGIES, VARIANT_PATH, Params, setting_value
from simulator.results_files import now_utc

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
            help="Root seed: replication r runs from run_seed(seed, 0, r), as a sweep of the"
            " scenario.toml written seeds it (the same runs).",
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
            type=Choice(list(MECHANISM_PARAMS)),
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
            help="Output folder (created; this command's files in it are replaced; not a"
            " sweep's results folder nor the other command's output).",
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
                type=Choice(STRATEGIES),
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
    path, a table given whole as its dotted paths, as a scenario reads it; validated by
    :meth:`Params.with_updates`)."""
    from simulator.design import flatten

    sets = flatten(options["sets"])  # (--set org='{"span": 4}' is --set org.span=4)
    updates = {path: options[o] for o, path in OPTION_PATHS.items() if options.get(o) is not None}
    if options.get("mechanism") is not None:
        updates["mechanism.name"] = options["mechanism"]
        chosen = sets.get("mechanism.name", options["mechanism"])
        if chosen != options["mechanism"]:
            raise click.UsageError(
                f"--mechanism {options['mechanism']} conflicts with --set for mechanism {chosen}"
            )
    for option, path in OPTION_PATHS.items():
        given, set_to = options.get(option), sets.get(path)
        if given is not None and set_to is not None and set_to != given:
            raise click.UsageError(
                f"--{option} {given} conflicts with --set {path}={set_to}: give one of them"
            )
    updates.update(sets)
    if options["ties_csv"] and not options["org_csv"]:
        raise click.UsageError("--ties-csv needs --org-csv")
    if options["org_csv"]:
        _refuse_chart_settings(options, updates)
    return updates


def _refuse_chart_settings(options: dict[str, Any], updates: dict[str, Any]) -> None:
    """Refuse a setting an org chart replaces (:func:`simulator.scenario_chart.chart_settings`),
    as a scenario on the chart does: the chart sets the organisation (a ties table, the
    informal ties)."""
    from simulator.scenario_chart import CHART_SHAPE, CHART_TIES, chart_settings

    options_of = {path: option for option, path in OPTION_PATHS.items()}
    names: tuple[str, ...]
    for path in chart_settings(ties=bool(options["ties_csv"])):
        if path not in updates:
            continue
        option = options_of.get(path)
        if option is not None and options.get(option) is not None:
            setting = f"--{option} {updates[path]}"
        else:
            setting = f"--set {path}={json.dumps(updates[path])}"
        if path in CHART_TIES:
            names, given, why = CHART_TIES, "--ties-csv", "the ties table sets the informal ties"
        else:
            names, given, why = CHART_SHAPE, "--org-csv", "the org chart sets the organisation"
        raise click.UsageError(
            f"{setting}: {', '.join(names[:-1])} and {names[-1]} do not apply with {given},"
            f" as {why}; remove it"
        )


# -- running ---------------------------------------------------------------------------------
class _Runner:
    """Runs replications, replication ``r`` from :func:`simulator.seeds.replication_seeds`
    (design point 0's, as a sweep of the command's ``scenario.toml`` runs it); with an
    imported org chart, loads it once per replication; with ``--people``, follows each run's
    people (the same numbers: :mod:`simulator.people`)."""

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

    started = now_utc()
    updates = _updates(options)
    runner = _Runner(options, Params().with_updates(updates))
    params = runner.params
    out = out_dir(options["out"], "run", (options["org_csv"], options["ties_csv"]))
    frames: list[tuple[pd.DataFrame, ...]] = []
    with _progress(options["reps"], options["quiet"]) as bar:
        for rep in range(options["reps"]):
            frames.append(runner.run(rep, params))
            bar.update()
    tables = [pd.concat(f, ignore_index=True) for f in zip(*frames, strict=True)]
    write_run(out, ctx, options, updates, params, started, tables)


def _arms(ctx: click.Context, param: click.Parameter, value: str) -> list[str]:
    arms = [a.strip() for a in value.split(",") if a.strip()]
    bad = [a for a in arms if a not in STRATEGIES]
    if bad:
        from simulator.errors import did_you_mean

        near = did_you_mean(bad[0], STRATEGIES)
        hint = f"; did you mean {near!r}?" if near else ""
        raise click.BadParameter(
            f"unknown strategy {bad[0]!r}; choose from {', '.join(STRATEGIES)}{hint}", ctx, param
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

    started = now_utc()
    if "leaders.strategy" in options["sets"] or options.get("strategy") is not None:
        raise click.UsageError(
            "compare sets leaders.strategy per arm: choose the strategies with --arms"
            f" (here {','.join(arms)})"
        )
    updates = _updates(options)
    runner = _Runner(options, Params().with_updates(updates))
    params = runner.params
    by_arm = {arm: params.with_updates({"leaders.strategy": arm}) for arm in arms}
    out = out_dir(options["out"], "compare", (options["org_csv"], options["ties_csv"]))
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
    write_compare(out, ctx, options, updates, params, started, tables, arms)


def _column(frames: list[tuple[pd.DataFrame, ...]], k: int) -> list[pd.DataFrame]:
    return [f[k] for f in frames]


def _arm_first(frame: pd.DataFrame) -> pd.DataFrame:
    columns = ["arm", *(c for c in frame.columns if c != "arm")]
    return frame[columns].reset_index(drop=True)
