"""Command line for scenario files: ``orgsim validate``, ``orgsim sweep``, ``orgsim report``.

Registered on the ``orgsim`` group by :mod:`simulator.cli`.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import click

from simulator.cli_choice import Choice
from simulator.cli_paths import ResultsDir, sweep_folder
from simulator.errors import SweepInterruptedError
from simulator.scenario import Plan, Scenario, design_notes, load_scenario, plan, reduced
from simulator.shard import planned as runs_planned

if TYPE_CHECKING:
    from simulator.cluster import DaskPool
    from simulator.shard import Shard

EXECUTORS = ("processes", "dask")


def _load(path: str, small: bool) -> tuple[Scenario, Plan]:
    scenario, full = load_scenario(path)
    return (scenario, plan(reduced(scenario), path)) if small else (scenario, full)


def _estimate(p: Plan, workers: int) -> tuple[float, float]:
    """Seconds for one run (the first run, timed now on at most ``TIMED_WEEKS`` weeks, after a
    warm-up run that loads the compiled kernels) and for the whole plan (runs made alone:
    batches of replications sharing an organisation go faster)."""
    from simulator.sweep import run

    spec = next(p.runs())
    weeks = spec.params.steps
    if weeks > TIMED_WEEKS:  # timed on its first weeks, then scaled: a long horizon is linear
        spec = replace(spec, params=spec.params.with_updates({"steps": TIMED_WEEKS}))
    with warnings.catch_warnings():  # (said once already, with the arm's place in the file)
        warnings.simplefilter("ignore")
        result = run(spec)
        if result.error is not None:
            raise click.ClickException(f"the first run fails: {result.error}")
        start = time.perf_counter()
        run(spec)
    one = (time.perf_counter() - start) * max(weeks / TIMED_WEEKS, 1.0)
    return one, one * p.run_count / max(workers, 1)


TIMED_WEEKS = 52
"""The estimate times at most this many weeks of the first run."""


reduced_option = click.option(
    "--reduced",
    is_flag=True,
    help="Use the small version of the scenario (at most 2 replications, 8 weeks, 150 people);"
    " a sweep's default folder is then results/<name>-reduced.",
)
workers_option = click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (1: run in this process). Default: [run] workers of the scenario, "
    "else one per CPU this process may use (a batch job's, not the whole machine's).",
)


@click.command()
@click.argument("scenario_file", type=click.Path(dir_okay=False))
@reduced_option
@workers_option
def validate(scenario_file: str, reduced: bool, workers: int | None) -> None:
    """Check a scenario file; print its run count and an estimated time."""
    from simulator.sweep import check_setups, cores, duration, say

    scenario, p = _load(scenario_file, reduced)
    header = scenario.scenario
    workers = workers or scenario.run.workers or cores()
    say(((UserWarning, line) for line in design_notes(p)), None)  # as sweep says them
    problems = check_setups(p)  # (in this process: the estimate runs a model here anyway)
    if problems:
        raise click.ClickException(f"{scenario_file}: " + "; ".join(problems))
    one, total = _estimate(p, workers)
    click.echo(f"{scenario_file}: valid. {header.name}: {header.question or '(no question)'}")
    if p.chart is not None:
        ties = f", informal ties from {p.chart.ties_path}" if p.chart.ties_path else ""
        click.echo(f"  on the org chart {p.chart.path} ({p.chart.n:,} people{ties})")
    click.echo(
        f"  {len(p.points):,} design point(s) x {len(p.arms)} arm(s) x {p.replications:,} "
        f"replication(s) = {p.run_count:,} runs"
    )
    a_run = f"{one * 1000:.0f} ms" if one < 10 else duration(one)
    took = duration(total)
    took = took if took.startswith("under") else f"about {took}"
    click.echo(
        f"  about {a_run} a run: {took} on {workers} worker(s) (rough: one run timed now;"
        " it varies 2-3x with the machine's load)"
    )
    if scenario.run.cluster:
        click.echo(f"  runs on the Dask scheduler {scenario.run.cluster} ([run] cluster)")


def _saved(folder: Path, p: Plan, shard: Shard | None = None) -> int:
    """The finished runs in a sweep's folder (0 if it was never made)."""
    from simulator.results import ResultsFolder

    if not (folder / "manifest.json").exists():
        return 0
    return len(ResultsFolder.open(folder, p, shard).finished_keys())


class _Terminated(KeyboardInterrupt):
    """SIGTERM: a batch scheduler's time limit (Slurm, PBS), ``kill``; ends a sweep as
    Ctrl-C does, by the same way out (workers stopped, the runs finished kept)."""


_SIGNALLED: list[type[KeyboardInterrupt]] = []
"""The stops signalled within :func:`_interrupted`: raised again by :func:`_stop_if_signalled`
where the first raise was swallowed (Python drops an exception raised in a garbage-collector
callback, such as Dask's, with "Exception ignored in": the sweep then ran to its end)."""


def _terminate(signum: int, frame: FrameType | None) -> None:
    _SIGNALLED.append(_Terminated)
    raise _Terminated


def _interrupt(signum: int, frame: FrameType | None) -> None:
    _SIGNALLED.append(KeyboardInterrupt)
    raise KeyboardInterrupt


def _unsaid(
    hook: Callable[[sys.UnraisableHookArgs], object],
) -> Callable[[sys.UnraisableHookArgs], object]:
    """``sys.unraisablehook`` that says nothing of a stop :data:`_SIGNALLED` (to be raised
    again), and passes anything else to ``hook``: a swallowed Ctrl-C printed Python's
    "Exception ignored in: ... GCDiagnosis._gc_callback" traceback before the sweep's line."""

    def unraisable(what: sys.UnraisableHookArgs) -> None:
        if _SIGNALLED and isinstance(what.exc_value, KeyboardInterrupt):
            return
        hook(what)

    return unraisable


def _stop_if_signalled() -> None:
    """Raise the stop signalled earlier, if there was one (see :data:`_SIGNALLED`)."""
    if _SIGNALLED:
        raise _SIGNALLED[0]


TERMINATED = 128 + int(signal.SIGTERM)
"""Exit code after SIGTERM (143), as after Ctrl-C 130 = 128 + SIGINT."""


@contextlib.contextmanager
def _interrupted(
    folder: Path, p: Plan, report: bool = False, shard: Shard | None = None
) -> Iterator[None]:
    """Ctrl-C or SIGTERM within: :class:`SweepInterruptedError`, saying how many runs are
    saved (after SIGTERM the same line, and exit code :data:`TERMINATED`). SIGTERM ended
    the sweep at once before, with no word but Python's 'leaked semaphore' warning."""
    main = threading.current_thread() is threading.main_thread()  # (signals: main only)
    _SIGNALLED.clear()
    before = signal.signal(signal.SIGTERM, _terminate) if main else None
    before_int = signal.signal(signal.SIGINT, _interrupt) if main else None
    hook = sys.unraisablehook
    if main:
        sys.unraisablehook = _unsaid(hook)
    try:
        yield
    except KeyboardInterrupt as stop:
        code = TERMINATED if isinstance(stop, _Terminated) else 130
        planned = runs_planned(p, shard)
        saved = _saved(folder, p, shard)
        raise SweepInterruptedError(saved, planned, folder, report, code) from None
    finally:
        if main:
            sys.unraisablehook = hook
            signal.signal(signal.SIGTERM, signal.SIG_DFL if before is None else before)
            signal.signal(
                signal.SIGINT, signal.default_int_handler if before_int is None else before_int
            )


def _shard_option(ctx: click.Context, param: click.Parameter, value: str | None) -> Shard | None:
    from simulator.shard import Shard, ShardError

    try:
        return None if value is None else Shard.parse(value)
    except ShardError as err:
        raise click.BadParameter(str(err)) from None


@click.command()
@click.argument("scenario_file", type=click.Path(dir_okay=False))
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    help="Results folder (default results/<scenario name>). Rerun to resume.",
)
@reduced_option
@workers_option
@click.option(
    "--executor",
    type=Choice(EXECUTORS),
    default=None,
    help="Local processes (the default), or a local Dask cluster of --workers processes.",
)
@click.option(
    "--cluster",
    metavar="ADDRESS",
    default=None,
    help="Run on the Dask scheduler at ADDRESS: tcp://host:port, or the path of its scheduler "
    "file (*.json). Default: [run] cluster of the scenario. See docs/cluster.md.",
)
@click.option(
    "--report/--no-report",
    default=True,
    show_default=True,
    help="Write the HTML report when the sweep is done.",
)
@click.option(
    "--shard",
    metavar="K/N",
    callback=_shard_option,
    help="Run only shard K of N of the runs (a job array's task: --shard"
    " $SLURM_ARRAY_TASK_ID/8), into a folder of its own (default results/<name>-shard-K-of-N);"
    " put the shards together with `orgsim merge`.",
)
@click.option("--quiet", is_flag=True, help="No progress output.")
def sweep(
    scenario_file: str,
    out: str | None,
    reduced: bool,
    workers: int | None,
    executor: str | None,
    cluster: str | None,
    report: bool,
    shard: Shard | None,
    quiet: bool,
) -> None:
    """Run a scenario (or resume it: finished runs are skipped, failed ones retried)."""
    from simulator.cluster import ALLOWED, check_address
    from simulator.sweep import Progress, SetupError, cores
    from simulator.sweep import sweep as run_sweep

    if cluster is not None:
        try:
            check_address(cluster)
        except ValueError:
            raise click.BadParameter(
                f"{cluster!r} is not a Dask scheduler address; give {ALLOWED}",
                param_hint="'--cluster'",
            ) from None
        if executor == "processes":
            raise click.UsageError("--cluster runs on a Dask cluster: drop --executor processes")
    scenario, p = _load(scenario_file, reduced)
    if shard is not None:
        from simulator.shard import ShardError

        try:
            shard.check(p)
        except ShardError as err:
            raise click.ClickException(f"{scenario_file}: {err}") from None
    settings = scenario.run
    workers = workers or settings.workers or cores()
    source = "--cluster"
    if cluster is None and executor is None and settings.cluster:
        cluster, source = settings.cluster, f"{scenario_file}: run.cluster"
    name = scenario.scenario.name + ("-reduced" if reduced else "")
    name += "" if shard is None else shard.suffix
    folder = Path(out or sweep_folder(name))  # (a reduced sweep apart from the full one)
    label = scenario.scenario.name
    timeout = settings.connect_timeout
    with (
        _interrupted(folder, p, shard=shard),  # (outermost: the pool is shut down first)
        _pool(executor or "processes", workers, cluster, source, timeout, quiet) as pool,
    ):
        if pool is not None and pool.threads(fresh=True) == 0 and not quiet:
            _say(f"no workers at {pool.address} yet: waiting for one to join")
        # (a new folder is made by the sweep, once its set-ups are checked; another
        # scenario's is refused here)
        finished = _saved(folder, p, shard)
        planned = runs_planned(p, shard)
        left = planned - finished
        resume = f" (resuming: {finished:,} already done)" if finished else ""
        of = "" if shard is None else f" (shard {shard} of {p.run_count:,})"
        bar = Progress(label, skipped=finished)
        started = False

        def progress(done: int, total: int) -> None:  # the header once the set-ups are checked
            nonlocal started
            _stop_if_signalled()  # (a Ctrl-C whose first raise was swallowed)
            if quiet:
                return
            if not started:
                where = (
                    f"on {pool.describe()}"
                    if pool is not None
                    else f"on {workers} worker(s) (processes)"
                    if workers > 1
                    else "in this process"
                )
                click.echo(
                    f"{label}: {planned:,} runs{of}{resume}; {left:,} to go {where} -> {folder}",
                    err=True,
                )
                started = True
            bar(done, total)

        try:
            summary = run_sweep(
                p,
                folder,
                executor=pool,
                workers=workers,
                cluster=None if pool is not None else "",  # local processes: not [run] cluster
                progress=progress,
                check=True,
                shard=shard,
            )
        except SetupError as err:
            raise click.ClickException(f"{scenario_file}: {err}") from None
    if report:
        with _interrupted(
            folder, p, report=True, shard=shard
        ):  # (from the line saying all are saved on)
            click.echo(f"{label}: {summary}; results in {folder}")
            from simulator.report import write_report

            click.echo(f"report: {write_report(folder)}")
    else:
        click.echo(f"{label}: {summary}; results in {folder}")
    if summary.failed:
        raise click.exceptions.Exit(1)


def _say(line: str) -> None:
    click.echo(f"orgsim: {line}", err=True)


@contextlib.contextmanager
def _pool(
    kind: str, workers: int, cluster: str | None, source: str, timeout: float, quiet: bool
) -> Iterator[DaskPool | None]:
    """A Dask pool (remote, or a local cluster), or ``None`` for local processes."""
    from simulator.cluster import connect, local_cluster

    if cluster is not None:
        waiting = None if quiet else _say
        with connect(cluster, source=source, timeout=timeout, waiting=waiting) as pool:
            yield pool
    elif kind == "dask":
        with local_cluster(workers) as pool:
            yield pool
    else:
        yield None


@click.command()
@click.argument("results_dir", type=ResultsDir())
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    help="Where to write the report (default <results_dir>/report).",
)
def report(results_dir: str, out: str | None) -> None:
    """Summaries, plots and a self-contained HTML report of a results folder."""
    from simulator.report import write_report

    click.echo(f"report: {write_report(results_dir, out)}")


@click.command()
@click.argument("a", type=ResultsDir())
@click.argument("b", type=ResultsDir())
def diff(a: str, b: str) -> None:
    """Compare two results folders run by run (exit 0 when identical, 1 when not): a check
    that a sweep gives the same results, bit for bit, on other workers or another executor,
    or after a resume."""
    from simulator.folder_diff import compare

    found = compare(a, b)
    for line in found.lines(a, b):
        click.echo(line)
    if not found.identical:
        raise click.exceptions.Exit(1)


@click.command()
@click.argument("folders", nargs=-1, required=True, type=ResultsDir())
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    help="The merged folder (default: the shards' folder name without -shard-K-of-N, beside"
    " them; else results/<scenario name>); merge into it again as more shards finish.",
)
def merge(folders: tuple[str, ...], out: str | None) -> None:
    """Put the results folders of a sweep's shards (`orgsim sweep --shard K/N`) together
    into one folder, which reads, reports and resumes as one sweep's."""
    from simulator.shard import ShardError, default_merged, warn_if_versions_differ
    from simulator.shard import merge as merge_folders

    target = Path(out) if out else default_merged([Path(f) for f in folders])
    try:
        merged = merge_folders(folders, target)
    except ShardError as err:
        raise click.ClickException(str(err)) from None
    warn_if_versions_differ(target)
    again = f" ({merged.skipped} with nothing new since their last merge)" if merged.skipped else ""
    click.echo(
        f"merge: {merged.sources - merged.skipped} folder(s), {merged.files:,} file(s) into"
        f" {target}{again}: {merged.finished:,} of {merged.planned:,} runs"
        f"{' (complete)' if merged.complete else ''}"
    )
    if merged.busy:
        click.echo(
            f"  not merged, a sweep is writing there: {', '.join(map(str, merged.busy))};"
            " merge again when it ends"
        )
    for shard, finished, planned, folder in merged.unfinished:
        click.echo(
            f"  shard {shard} has finished {finished:,} of its {planned:,} runs: resume it"
            f" (orgsim sweep SCENARIO --shard {shard} --out {folder}), then merge again"
        )
    if merged.shards_missing:
        shown = ", ".join(merged.shards_missing[:8])
        more = " ..." if len(merged.shards_missing) > 8 else ""
        click.echo(
            f"  shards not merged yet: {shown}{more}; merge them in when they finish, or"
            f" run the rest here: orgsim sweep SCENARIO --out {target}"
        )
    elif not merged.complete and not merged.busy and not merged.unfinished:
        click.echo(f"  runs missing: resume them here: orgsim sweep SCENARIO --out {target}")
