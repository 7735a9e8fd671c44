"""Command line for scenario files: ``orgsim validate``, ``orgsim sweep``, ``orgsim report``.

Registered on the ``orgsim`` group by :mod:`simulator.cli`.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from concurrent.futures import Executor
from pathlib import Path

import click

from simulator.scenario import Plan, Scenario, load_scenario, plan, reduced

EXECUTORS = ("processes", "dask")


def _load(path: str, small: bool) -> tuple[Scenario, Plan]:
    scenario, full = load_scenario(path)
    return (scenario, plan(reduced(scenario), path)) if small else (scenario, full)


def _estimate(p: Plan, workers: int) -> tuple[float, float]:
    """Seconds for one run (the first run, timed now, after a warm-up run that loads the
    compiled kernels) and for the whole plan (runs made alone: batches of replications
    sharing an organisation go faster)."""
    from simulator.sweep import run

    spec = next(p.runs())
    result = run(spec)
    if result.error is not None:
        raise click.ClickException(f"the first run fails: {result.error}")
    start = time.perf_counter()
    run(spec)
    one = time.perf_counter() - start
    return one, one * p.run_count / max(workers, 1)


reduced_option = click.option(
    "--reduced",
    is_flag=True,
    help="Use the small version of the scenario (2 replications, 8 weeks, 150 people).",
)
workers_option = click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Worker processes (1: run in this process).",
)


@click.command()
@click.argument("scenario_file", type=click.Path(dir_okay=False))
@reduced_option
@workers_option
def validate(scenario_file: str, reduced: bool, workers: int) -> None:
    """Check a scenario file; print its run count and an estimated time."""
    from simulator.sweep import duration

    scenario, p = _load(scenario_file, reduced)
    header = scenario.scenario
    one, total = _estimate(p, workers)
    click.echo(f"{scenario_file}: valid. {header.name}: {header.question or '(no question)'}")
    click.echo(
        f"  {len(p.points)} design point(s) x {len(p.arms)} arm(s) x {p.replications} "
        f"replication(s) = {p.run_count:,} runs"
    )
    click.echo(f"  about {one * 1000:.0f} ms a run: about {duration(total)} on {workers} worker(s)")


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
    type=click.Choice(EXECUTORS),
    default="processes",
    show_default=True,
    help="Local processes, or a local Dask cluster.",
)
@click.option(
    "--report/--no-report",
    default=True,
    show_default=True,
    help="Write the HTML report when the sweep is done.",
)
@click.option("--quiet", is_flag=True, help="No progress output.")
def sweep(
    scenario_file: str,
    out: str | None,
    reduced: bool,
    workers: int,
    executor: str,
    report: bool,
    quiet: bool,
) -> None:
    """Run a scenario (or resume it: finished runs are skipped, failed ones retried)."""
    from simulator.results import ResultsFolder
    from simulator.sweep import Progress, duration
    from simulator.sweep import sweep as run_sweep

    scenario, p = _load(scenario_file, reduced)
    folder = Path(out or Path("results") / scenario.scenario.name)
    finished = len(ResultsFolder.open(folder, p).finished_keys())
    label = scenario.scenario.name
    if not quiet:
        left = p.run_count - finished
        resume = f" (resuming: {finished:,} already done)" if finished else ""
        click.echo(
            f"{label}: {p.run_count:,} runs{resume}; {left:,} to go on {workers} "
            f"worker(s) ({executor}) -> {folder}",
            err=True,
        )
    progress = None if quiet else Progress(label, skipped=finished)
    with _executor(executor, workers) as pool:
        summary = run_sweep(p, folder, executor=pool, workers=workers, progress=progress)
    click.echo(
        f"{label}: {summary.done:,} runs done, {summary.failed:,} failed, "
        f"{summary.skipped:,} already done, in {duration(summary.seconds)}; "
        f"results in {folder}"
    )
    if report:
        from simulator.report import write_report

        click.echo(f"report: {write_report(folder)}")
    if summary.failed:
        raise click.exceptions.Exit(1)


@contextlib.contextmanager
def _executor(kind: str, workers: int) -> Iterator[Executor | None]:
    """``None`` lets :func:`simulator.sweep.sweep` choose local processes."""
    if kind == "processes":
        yield None
        return
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise click.ClickException("--executor dask needs Dask: pip install -e '.[dask]'") from None
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client.get_executor()


@click.command()
@click.argument("results_dir", type=click.Path(file_okay=False))
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    help="Where to write the report (default <results_dir>/report).",
)
def report(results_dir: str, out: str | None) -> None:
    """Summaries, plots and a self-contained HTML report of a results folder."""
    from simulator.report import write_report

    click.echo(f"report: {write_report(results_dir, out)}")
