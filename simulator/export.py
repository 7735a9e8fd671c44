"""A results folder as spreadsheet tables (NetLogo BehaviorSpace's shapes) and as the EMA
Workbench's ``(experiments, outcomes)``.

Every table has one row per finished run (and week, and level), led by the run's key
(``point``, ``arm``, ``replication``), ``seed`` and the values of the swept parameters it ran
at, named by their dotted paths (``culture.openness``): BehaviorSpace's "table" output. The
tables (:data:`TABLES`):

- ``outcomes``: one row per run;
- ``series``: one row per run and recorded week (``--wide``: one row per run, one column
  per week of one metric, as BehaviorSpace's "spreadsheet");
- ``levels``: one row per run, week and hierarchy level;
- ``people``: one row per run and person, with the first week each was a listener and a
  poster (only when the scenario says ``[record] people = true``);
- ``stats``: per design point, arm, series metric and week, over the replications: ``n``,
  ``mean``, ``sd`` and the 10, 50 and 90 % quantiles (BehaviorSpace's "stats").

:func:`export` writes them (CSV or Parquet, each file atomically) with a ``README.txt``
saying what each column is and its unit; ``orgsim export`` is the command.

A finished run whose series, levels or people file is gone (:attr:`simulator.results.Results.
lost`) keeps its row of the outcomes table, which are intact, and has no rows in the tables
of what it lost: the wide series leaves it out too (a row of blanks would read as a run that
recorded nothing), and the export says how many and the ``orgsim sweep`` command that runs
them again (:func:`simulator.results_files.rerun_command`). :func:`to_ema` keeps such a
run in every array, its series rows NaN, and warns.

Examples
--------
>>> _problem("postr", ["poster", "listener"], "series metric of this folder")
"not a series metric of this folder; choose from poster, listener; did you mean 'poster'?"
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulator.analysis import OUTCOMES, ok_runs
from simulator.errors import SimulatorError, did_you_mean
from simulator.folder_diff import VARYING
from simulator.measures import MEASURES, of_table
from simulator.params import field_info
from simulator.people import COLUMNS as PERSON_COLUMNS
from simulator.results import KEY, Results, atomic_write, load
from simulator.results_files import rerun_command
from simulator.state import EVENTS, SOURCES

TABLES = ("outcomes", "series", "levels", "people", "stats")
"""The tables :func:`export` writes (``"all"``: every one)."""
FORMATS = ("csv", "parquet")
QUANTILES = (0.1, 0.5, 0.9)
"""The quantiles of the ``stats`` table, as its columns ``q10``, ``q50``, ``q90``."""
STATS = ("n", "mean", "sd", *(f"q{round(q * 100)}" for q in QUANTILES))
INTERNAL = (*VARYING, "status", "error")
"""Outcome columns left out: which attempt ran a run and how long it took (they differ
between sweeps of the same runs), and the status and error (only finished runs are kept)."""
README = "README.txt"


class ExportError(SimulatorError):
    """An export that cannot be made as asked: names the argument (``tables``, ``fmt``,
    ``metric``, ``wide`` or ``results``), its value and what is allowed."""

    def __init__(self, argument: str, value: Any, problem: str) -> None:
        self.argument, self.value, self.problem = argument, value, problem
        super().__init__(f"{argument} = {value!r}: {problem}")


def _problem(value: str, allowed: Sequence[str], what: str) -> str:
    """``not a <what>; choose from ...; did you mean '...'?``"""
    match = did_you_mean(value, allowed, cutoff=0.5)
    hint = f"; did you mean {match!r}?" if match else ""
    return f"not a {what}; choose from {', '.join(allowed)}{hint}"


def table_names(tables: str | Sequence[str]) -> list[str]:
    """The tables asked for (``"all"``, one name, or several), checked."""
    asked = [tables] if isinstance(tables, str) else list(tables)
    names = list(TABLES) if asked == ["all"] else asked
    for name in names:
        if name not in TABLES:
            raise ExportError("tables", name, _problem(name, [*TABLES, "all"], "table"))
    return list(dict.fromkeys(names))


def finished(results: Results) -> Results:
    """``results`` with only its finished runs (status ``ok``) in every table."""
    runs = ok_runs(results.outcomes)
    if len(runs) == len(results.outcomes):  # (all finished, or filtered already)
        return results
    done = pd.MultiIndex.from_frame(runs[KEY])

    def of_runs(frame: pd.DataFrame) -> pd.DataFrame:
        if frame.empty:
            return frame
        return frame[pd.MultiIndex.from_frame(frame[KEY]).isin(done)]

    return dataclasses.replace(
        results, outcomes=runs, series=of_runs(results.series), levels=of_runs(results.levels)
    )


def _axes(results: Results) -> list[str]:
    return [a for a in results.axes if a in results.outcomes]


def _runs_first(results: Results, frame: pd.DataFrame, within: Sequence[str]) -> pd.DataFrame:
    """``frame`` with each run's ``seed`` and swept values (:meth:`Results.with_axes`), its
    columns led by the run's key, rows by point, arm (in the scenario's order), replication
    and ``within``."""
    joined = results.with_axes(frame.drop(columns=["attempt"], errors="ignore"))
    if "seed" not in joined:
        joined.insert(0, "seed", results.manifest.get("root_seed"))  # (the outcomes' too)
    lead = [*KEY, "seed", *_axes(results), *within]
    place = {arm: i for i, arm in enumerate(results.arms)}
    joined = joined.sort_values(
        [*KEY, *within], key=lambda c: c.map(place) if c.name == "arm" else c, kind="stable"
    )
    rest = [c for c in joined.columns if c not in lead and c not in INTERNAL]
    return joined[[*lead, *rest]].reset_index(drop=True)


def series_metrics(results: Results) -> list[str]:
    """The per-week metrics a folder recorded (its ``[record] series``)."""
    keys = {*KEY, "attempt", "step", "seed", *results.axes}
    return [c for c in results.series.columns if c not in keys]


def outcomes_table(results: Results) -> pd.DataFrame:
    """One row per finished run: its key, seed, swept values and outcomes."""
    return _runs_first(results, finished(results).outcomes, [])


def series_table(results: Results) -> pd.DataFrame:
    """One row per finished run and recorded week."""
    return _runs_first(results, finished(results).series, ["step"])


def levels_table(results: Results) -> pd.DataFrame:
    """One row per finished run, recorded week and hierarchy level."""
    return _runs_first(results, finished(results).levels, ["step", "level"])


def people_table(results: Results) -> pd.DataFrame:
    """One row per finished run and person (``[record] people``)."""
    return _runs_first(results, finished(results).people, ["person"])


def stats_table(results: Results) -> pd.DataFrame:
    """Per design point, arm, series metric and week: ``n`` (runs with a value), ``mean``,
    ``sd`` (``n - 1`` in the denominator; empty for one run) and the :data:`QUANTILES` of
    the metric over the replications (linear interpolation, as ``numpy.quantile``)."""
    done = finished(results)
    metrics = series_metrics(done)
    by = ["point", "arm", "step"]
    grouped = done.series.groupby(by, sort=False)[metrics]
    parts = {"n": grouped.count(), "mean": grouped.mean(), "sd": grouped.std()}
    parts.update((name, grouped.quantile(q)) for name, q in zip(STATS[3:], QUANTILES, strict=True))
    stats = pd.concat(parts, axis=1, names=["stat", "metric"]).stack("metric", future_stack=True)
    stats = stats.reset_index()
    stats["metric"] = pd.Categorical(stats["metric"], categories=metrics)  # (the series order)
    axes = _axes(done)
    at = done.outcomes.drop_duplicates(["point", "arm"])[["point", "arm", *axes]]
    stats = stats.merge(at, on=["point", "arm"], how="left", validate="many_to_one")
    place = {arm: i for i, arm in enumerate(done.arms)}
    stats = stats.sort_values(
        ["point", "arm", "metric", "step"],
        key=lambda c: c.map(place) if c.name == "arm" else c,
        kind="stable",
    )
    stats["metric"] = stats["metric"].astype(str)
    return stats[["point", "arm", *axes, "metric", "step", *STATS]].reset_index(drop=True)


def _by_week(series: pd.DataFrame, runs: pd.DataFrame, metric: str) -> pd.DataFrame:
    """``metric`` with one row per run of ``runs`` (in their order; a run without series
    rows: empty) and one column per recorded week (every week any run recorded)."""
    table = series.pivot(index=KEY, columns="step", values=metric)
    return table.reindex(pd.MultiIndex.from_frame(runs[KEY]))


def wide_table(results: Results, metric: str = "poster") -> pd.DataFrame:
    """One row per finished run (key, seed, swept values), one column ``step_<k>`` per
    recorded week ``k`` holding ``metric`` (BehaviorSpace's "spreadsheet" turned so that a
    run is a row). A run whose series file is lost has no row (:func:`lost_note`)."""
    allowed = series_metrics(results)
    if metric not in allowed:
        raise ExportError(
            "metric", metric, _problem(metric, allowed, "series metric of this folder")
        )
    runs = outcomes_table(results)
    gone = results.lost.of("series")
    if gone:  # (no week of theirs is known: left out, not a row of blanks)
        runs = runs[~pd.MultiIndex.from_frame(runs[KEY]).isin(gone)].reset_index(drop=True)
    weeks = _by_week(finished(results).series, runs, metric)
    columns = {f"step_{step}": weeks[step].to_numpy() for step in weeks.columns}
    lead = runs[[*KEY, "seed", *_axes(results)]]
    return pd.concat([lead, pd.DataFrame(columns, index=lead.index)], axis=1)


def _some_finished(results: Results) -> None:
    """Refuse a folder in which no run has finished yet."""
    if not len(ok_runs(results.outcomes)):
        raise ExportError(
            "results",
            str(results.path),
            f"no run has finished yet (0 of {results.manifest.get('runs_planned', 0):,}):"
            " nothing to export",
        )


def export_tables(
    results: Results,
    names: str | Sequence[str] = "all",
    *,
    wide: bool = False,
    metric: str = "poster",
) -> dict[str, pd.DataFrame]:
    """The export's tables by file stem (``series_wide_<metric>`` for the wide series)."""
    every = names == "all"
    names = table_names(names)
    for table, why in (
        ("levels", "says [record] levels = false"),
        ("people", "does not say [record] people = true"),
    ):
        if table in results.kept_tables:  # (its [record])
            continue
        if not every and table in names:
            raise ExportError("tables", table, f"not in this folder: its scenario {why}")
        names = [n for n in names if n != table]
    if not series_metrics(results):  # ([record] series = []: the steps alone, or nothing)
        none = "its scenario says [record] series = [] (no per-week metric was kept)"
        if wide:
            raise ExportError("wide", True, f"there is no series to shape in this folder: {none}")
        asked = [n for n in names if n in ("series", "stats")]
        if not every and asked:
            raise ExportError("tables", asked[0], f"not in this folder: {none}")
        names = [n for n in names if n not in ("series", "stats")]
    if wide and "series" not in names:
        raise ExportError(
            "wide", True, f"shapes the series table, which is not asked for ({', '.join(names)})"
        )
    _some_finished(results)
    make: dict[str, Callable[[Results], pd.DataFrame]] = {
        "outcomes": outcomes_table,
        "series": series_table,
        "levels": levels_table,
        "people": people_table,
        "stats": stats_table,
    }
    out = {}
    for name in names:
        if name == "series" and wide:
            out[f"series_wide_{metric}"] = wide_table(results, metric)
        else:
            out[name] = make[name](results)
    return out


LEFT_OUT = {"series": "series, wide series and stats", "levels": "levels", "people": "people"}
"""The export tables that leave out a run whose file of a table is lost, by that table."""


def lost_note(results: Results) -> str:
    """What an export says of its finished runs whose series, levels or people file is gone
    (:attr:`simulator.results.Results.lost`); empty when there are none.

    They are in the outcomes table, whose rows are whole, and left out of the tables of
    what they lost (:data:`LEFT_OUT`)."""
    lost = results.lost
    if not lost.runs:
        return ""
    tables = lost.tables()
    return (
        f"{len(lost.runs):,} of them lost their {' or '.join(tables)} file: they are in the"
        f" outcomes table, not in the {' or '.join(LEFT_OUT[t] for t in tables)} tables"
        f" ('{rerun_command(results.path, results.manifest)}' runs them again)"
    )


def unit(metric: str) -> str:
    """The unit of a built-in outcome or series metric (:data:`simulator.measures.MEASURES`;
    empty when it has none written down)."""
    found = MEASURES.get(metric)
    return found.unit if found is not None else ""


def describe(results: Results, table: str, column: str) -> tuple[str, str]:
    """``(unit, what it is)`` of a column of an export table (``table``: its file stem)."""
    from simulator.plots import label

    if column == "point":
        return "", "design point (numbered from 0; its values below)"
    if column == "arm":
        return "", f"arm of the scenario (the baseline: {results.arms[0]})"
    if column == "replication":
        return "", "replication at this point (same number, same random streams in every arm)"
    if column == "seed":
        return "", (
            "the scenario's root seed; a run's streams are its children (point, replication):"
            " simulator.results.rebuild(results, point, arm, replication) rebuilds the run"
        )
    if column in results.axes:
        info = field_info(column)
        extra = info.json_schema_extra if info is not None else None
        extra = extra if isinstance(extra, dict) else {}
        about = f"{extra.get('label', column)}: {info.description}" if info else column
        return str(extra.get("unit", "")), f"swept parameter; {about}"
    if column == "step":
        return "weeks", "week (0: the initial state, before the first step)"
    if column.startswith("step_"):
        return unit(
            table.removeprefix("series_wide_")
        ), f"{label(table.removeprefix('series_wide_'))}, week {column[5:]}"
    if table == "people" and column in PERSON_COLUMNS:
        return PERSON_COLUMNS[column]
    if column == "level":
        return "", "hierarchy level (0 = top)"
    if column == "people":
        return "people", "people at this level"
    if column == "metric":
        return "", "the series metric summarised (below)"
    if table == "stats":
        quantile = {name: q for name, q in zip(STATS[3:], QUANTILES, strict=True)}
        if column in quantile:
            share = round(quantile[column] * 100)
            return "unit of the metric", f"{share} % quantile over the replications"
        return {
            "n": ("runs", "replications with a value"),
            "mean": ("unit of the metric", "mean over the replications"),
            "sd": ("unit of the metric", "standard deviation over the replications (n - 1)"),
        }[column]
    own = of_table(results.outcomes.attrs)
    if column in own:  # (an outcome of the scenario's [outcomes])
        return own[column].unit, f"{own[column].label} (defined in the scenario's [outcomes])"
    source = column.removeprefix("adopted_")
    what = f"Adoptions by main source: {source}" if source in SOURCES else label(column)
    if column in EVENTS and table == "outcomes":  # (weekly counts summed)
        weeks = {"posters": "poster-weeks"}  # (the same poster may be counted every week)
        return weeks.get(unit(column), unit(column)), f"{what}, summed over the run's weeks"
    if column in EVENTS:
        what += ", in this week"
    elif table != "outcomes":
        what += " at this week"
    return unit(column), what


def readme(results: Results, files: dict[str, pd.DataFrame]) -> str:
    """The ``README.txt`` of an export: the folder, its design points and arms, and each
    file's columns (``files``: by file name, its table or its columns) with their units and
    meaning."""
    done = len(finished(results).outcomes)
    header = [
        f"Export of the results folder {results.path}: scenario {results.manifest.get('name')},"
        f" {done:,} of {results.manifest.get('runs_planned', done):,} runs finished."
        + (f" {lost_note(results)}." if results.lost.runs else ""),
        f"Question: {results.manifest.get('question') or '(none given)'}",
        "Metric labels: simulator.measures.MEASURES; definitions: docs/ODD.md, 7.10"
        " Observation. Swept parameters: 'orgsim params'.",
        "",
        "Design points:",
        *(f"  {i}: {label}" for i, label in results.point_labels.items()),
        f"Arms: {', '.join(results.arms)} (the first is the baseline)",
    ]
    for name, frame in files.items():
        stem = Path(name).stem
        rows = [(c, *describe(results, stem, c)) for c in frame.columns]
        width = max(len(c) for c, _, _ in rows)
        header += ["", f"{name}: {_shape(stem)}"]
        header += [f"  {c:<{width}}  {what}{f' [{u}]' if u else ''}" for c, u, what in rows]
        if stem == "stats":  # (what each metric is, as the series says it)
            metrics = [(m, *describe(results, "series", m)) for m in frame["metric"].unique()]
            width = max(len(m) for m, _, _ in metrics)
            header += ["  where metric is one of:"]
            header += [f"    {m:<{width}}  {what} [{u}]" for m, u, what in metrics]
    return "\n".join(header) + "\n"


def earlier(folder: Path, written: Sequence[Path]) -> dict[str, pd.DataFrame]:
    """The tables an earlier export left in ``folder`` beside those just ``written``, by file
    name, as their columns (and a stats table's metrics): the ``README.txt`` describes every
    table there (a second export, of other tables, described only its own)."""
    import pyarrow.parquet as pq

    found: dict[str, pd.DataFrame] = {}
    mine = {path.name for path in written}
    for path in sorted([*folder.glob("*.csv"), *folder.glob("*.parquet")]):
        stem = path.stem
        if path.name in mine or not (stem in TABLES or stem.startswith("series_wide_")):
            continue
        if path.suffix == ".csv":
            columns = list(pd.read_csv(path, nrows=0).columns)
        else:
            columns = list(pq.read_schema(path).names)
        frame = pd.DataFrame(columns=columns)
        if stem == "stats" and "metric" in columns:  # (its metrics are described too)
            metric = (
                pd.read_csv(path, usecols=["metric"])
                if path.suffix == ".csv"
                else (pd.read_parquet(path, columns=["metric"]))
            )
            frame = pd.DataFrame({"metric": metric["metric"].unique()}).reindex(columns=columns)
        found[path.name] = frame
    return found


def _shape(stem: str) -> str:
    return {
        "outcomes": "one row per finished run",
        "series": "one row per finished run and recorded week",
        "levels": "one row per finished run, recorded week and hierarchy level",
        "people": "one row per finished run and person",
        "stats": "one row per design point, arm, series metric and recorded week",
    }.get(stem, "one row per finished run, one column per recorded week")


def export(
    results: Results | str | Path,
    tables: str | Sequence[str] = "all",
    *,
    fmt: str = "csv",
    wide: bool = False,
    metric: str = "poster",
    out: str | Path | None = None,
    say: Callable[[str], None] | None = None,
) -> list[Path]:
    """Write a results folder's tables as CSV or Parquet files, with a ``README.txt``.

    Parameters
    ----------
    results : Results or path
        A folder read by :func:`simulator.results.load`, or its path. Only finished runs are
        exported; a sweep stopped before its end exports the runs it finished. A finished
        run whose series, levels or people file is lost is in the outcomes table only, and
        said (:func:`lost_note`).
    tables : str or sequence of str
        ``"all"`` or some of :data:`TABLES`.
    fmt : {"csv", "parquet"}
    wide : bool
        The series with one row per run and one column per week of ``metric``, written as
        ``series_wide_<metric>`` instead of ``series``.
    metric : str
        The series column of the wide table (``poster``: the share posting).
    out : path, optional
        The folder to write to (made if need be; default ``<results>/export``).
    say : callable, optional
        Called with a line for the runs exported ("N of M runs", and any whose tables are
        lost) and one per file written.

    Returns
    -------
    list of Path
        The files written, ``README.txt`` last.
    """
    if fmt not in FORMATS:
        raise ExportError("fmt", fmt, _problem(fmt, FORMATS, "format"))
    asked = table_names(tables)  # (checked before the folder is read)
    results = results if isinstance(results, Results) else load(results)
    frames = export_tables(results, tables, wide=wide, metric=metric)
    folder = Path(out) if out is not None else results.path / "export"
    done = len(finished(results).outcomes)
    planned = results.manifest.get("runs_planned", done)
    if say is not None:
        again = rerun_command(results.path, results.manifest)
        left = "" if done == planned else f" (the sweep has not finished: '{again}' resumes it)"
        lost = f" ({lost_note(results)})" if results.lost.runs else ""
        say(f"{results.path}: {done:,} of {planned:,} runs{left}{lost} -> {folder}")
        if "levels" in asked and "levels" not in frames:
            say("  levels: none recorded ([record] levels = false)")
        if "series" in asked and not series_metrics(results):
            say("  series, stats: none recorded ([record] series = [])")
    before = folder / README
    same = before.exists() and before.read_text(encoding="utf-8").startswith(
        f"Export of the results folder {results.path}:"
    )  # (an earlier export of these results: its tables are described too)
    written = []
    for stem, frame in frames.items():
        path = folder / f"{stem}.{fmt}"
        if fmt == "csv":
            atomic_write(path, lambda tmp, f=frame: f.to_csv(tmp, index=False))
        else:
            atomic_write(path, lambda tmp, f=frame: f.to_parquet(tmp, index=False))
        written.append(path)
        if say is not None:
            say(f"  {path} ({len(frame):,} rows)")
    files = {f"{stem}.{fmt}": frame for stem, frame in frames.items()}
    text = readme(results, {**files, **(earlier(folder, written) if same else {})})
    atomic_write(folder / README, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    if say is not None:
        say(f"  {folder / README} (what each column is, and its unit)")
    return [*written, folder / README]


def to_ema(results: Results | str | Path) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The finished runs as the EMA Workbench's ``(experiments, outcomes)``.

    ``experiments``: one row per run (point, arm, replication order), the swept values as
    columns, and EMA's ``scenario`` (the design point), ``policy`` (the arm) and ``model``
    (the scenario's name), categorical as EMA makes them, and ``replication`` (the same
    number in each arm of a design point: a pair on common random numbers). ``outcomes``:
    each outcome of :data:`simulator.analysis.OUTCOMES` as an array over the runs; each
    recorded series
    metric as ``series.<metric>``, an array runs x weeks (empty where a run has no such
    week); and ``TIME``, the week of each column (the same in every row), which EMA's
    time-series plots take as their x axis, e.g.
    ``ema_workbench.analysis.plotting.envelopes(experiments, outcomes,
    outcomes_to_show="series.poster", group_by="policy")``.

    A finished run whose series file is lost (:attr:`simulator.results.Results.lost`) keeps
    its row in ``experiments`` and every array, its outcomes being whole, with NaN for every
    week of its series: a ``UserWarning`` says how many.
    """
    results = results if isinstance(results, Results) else load(results)
    _some_finished(results)
    gone = results.lost.of("series")
    if gone and series_metrics(results):
        warnings.warn(
            f"{results.path}: {len(gone):,} of the {len(ok_runs(results.outcomes)):,} finished"
            " runs lost their series file: their rows of every series.<metric> array are NaN"
            f" ('{rerun_command(results.path, results.manifest)}' runs them again)",
            UserWarning,
            stacklevel=2,
        )
    runs = outcomes_table(results)
    experiments = runs[_axes(results)].copy()
    for axis in experiments.columns:
        if not pd.api.types.is_numeric_dtype(experiments[axis]):
            experiments[axis] = experiments[axis].astype("category")
    experiments["scenario"] = pd.Categorical(runs["point"])
    experiments["policy"] = pd.Categorical(runs["arm"], categories=results.arms)
    experiments["model"] = pd.Categorical([results.manifest.get("name", "orgsim")] * len(runs))
    experiments["replication"] = runs["replication"].to_numpy()  # (pairs runs across arms)
    own = list(of_table(results.outcomes.attrs))  # (the scenario's [outcomes])
    outcomes: dict[str, np.ndarray] = {
        m: runs[m].to_numpy() for m in (*OUTCOMES, *own) if m in runs
    }
    series = finished(results).series
    steps = np.zeros(0)
    for metric in series_metrics(results):
        weeks = _by_week(series, runs, metric)
        outcomes[f"series.{metric}"] = weeks.to_numpy(dtype=float)
        steps = weeks.columns.to_numpy(dtype=float)
    if len(steps):
        outcomes["TIME"] = np.tile(steps, (len(runs), 1))
    return experiments, outcomes


__all__ = [
    "FORMATS",
    "TABLES",
    "ExportError",
    "export",
    "export_tables",
    "lost_note",
    "outcomes_table",
    "people_table",
    "series_table",
    "stats_table",
    "to_ema",
    "wide_table",
]
