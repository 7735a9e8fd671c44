"""The results folder of a sweep: a Parquet dataset and a manifest, written atomically.

Layout::

    results/<name>/
      manifest.json                               the scenario as run, its digest, versions,
                                                  code revision, root seed, attempts, counts
      outcomes/arm=<arm>/part-<attempt>-<task>.parquet   one row per finished run
      failed/arm=<arm>/part-<attempt>-<task>.parquet     one row per failed run (its error)
      series/arm=<arm>/part-<attempt>-<task>.parquet     per-step series
      levels/arm=<arm>/part-<attempt>-<task>.parquet     per-step shares by level
      people/arm=<arm>/part-<attempt>-<task>.parquet     a row per person ([record] people)

Every file of a table has the same columns and types (the swept axes' types from the whole
design), so that any Parquet reader (``pandas.read_parquet(folder / "outcomes")``,
``pyarrow.dataset``) reads each table whole. (Folders written before failed rows had a
table of their own kept them in ``outcomes/`` as ``failed-*`` files; :func:`load` reads
both.)

Every file is written under a temporary dot-name and renamed into place, so a sweep killed
at any moment leaves only complete files (readers skip dot-files). A task's outcomes are
written last: a run counts as finished only once its outcome row exists, and a resumed sweep
reruns anything else. Rows carry ``attempt``; :func:`load` keeps, per run, the finished
attempt (or the latest failed one) and only the series rows (and levels and people rows) of
that attempt. Two folders are compared run by run by :mod:`simulator.folder_diff`.

This module reads a folder back (:func:`load`, :class:`Results`, :func:`rebuild`); the rest
is in modules of their own, each name importable from here too:

- :mod:`simulator.results_files`: the layout, files written whole, the folder's lock, the
  manifest read back;
- :mod:`simulator.results_provenance`: which code made the runs (versions, source digest,
  git revision);
- :mod:`simulator.results_differences`: whether a folder holds a scenario's runs, and where
  two scenarios differ;
- :mod:`simulator.results_rows`: a task's run results as the tables' rows;
- :mod:`simulator.results_writer`: :class:`ResultsFolder`, a folder being written by a sweep;
- :mod:`simulator.results_tables`: a table's part files read back, the kept attempts' rows.
"""

from __future__ import annotations

import functools
import operator
import warnings
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd
import pyarrow.compute as pc

from simulator.errors import SimulatorError, did_you_mean, is_whole
from simulator.results_differences import CHART_KEYS, manifest_plan, scenario_differences
from simulator.results_files import (
    KEY,
    LOCK,
    TABLES,
    FolderBusyError,
    ResultsError,
    atomic_write,
    finished_only,
    partial_note,
    read_manifest,
    write_json,
    writing,
)
from simulator.results_provenance import code_digest, code_revision, versions
from simulator.results_rows import axis_order, axis_types, tables_of
from simulator.results_tables import Lost, kept_tables, lost_runs, of_table, read_table
from simulator.results_tables import _frame as _frame  # (tests take these three from here)
from simulator.results_tables import _of_runs as _of_runs
from simulator.results_tables import _taken as _taken
from simulator.results_writer import ResultsFolder

if TYPE_CHECKING:
    from simulator.folder_diff import VARYING as VARYING
    from simulator.folder_diff import FolderDiff as FolderDiff
    from simulator.folder_diff import compare as compare
    from simulator.model import OrgModel
    from simulator.plan import RunSpec

__all__ = [  # (what was this module's before its parts had modules of their own)
    "CHART_KEYS",
    "KEY",
    "LOCK",
    "TABLES",
    "FolderBusyError",
    "Lost",
    "Results",
    "ResultsError",
    "ResultsFolder",
    "atomic_write",
    "axis_order",
    "axis_types",
    "code_digest",
    "code_revision",
    "finished_only",
    "load",
    "partial_note",
    "point_label",
    "read_manifest",
    "read_table",
    "rebuild",
    "scenario_differences",
    "short_value",
    "tables_of",
    "versions",
    "write_json",
    "writing",
]


@dataclass
class Results:
    """A results folder read back: one row per run, deduplicated across attempts.

    ``lost``: the finished runs whose series, levels or people file is gone (their outcomes
    are kept, their rows of that table are not there; :func:`load` warns of them, and a
    sweep into the folder runs them again).
    """

    path: Path
    manifest: dict[str, Any]
    outcomes: pd.DataFrame
    series: pd.DataFrame
    levels: pd.DataFrame
    lost: Lost = field(default_factory=Lost)

    @functools.cached_property
    def people(self) -> pd.DataFrame:
        """A row per run and person (``[record] people = true``; no rows otherwise), of the
        attempt each run kept, as the series: read from the folder when first asked for
        (a big sweep's is its largest table; :meth:`read_people` reads a part of it).
        Columns: :data:`simulator.people.COLUMNS`."""
        return self.read_people()

    def read_people(
        self,
        columns: str | Sequence[str] | None = None,
        *,
        point: int | Collection[int] | None = None,
        arm: str | Collection[str] | None = None,
        replication: int | Collection[int] | None = None,
    ) -> pd.DataFrame:
        """Part of :attr:`people`, read from the folder without the rest: only some columns,
        only some runs. The arms' files not asked for are not opened, and pyarrow skips the
        parts of the others whose statistics rule out the points and replications asked for
        (:mod:`pyarrow.dataset`).

        Parameters
        ----------
        columns : str or list of str, optional
            Columns of :data:`simulator.people.COLUMNS` (all of them: None; one column: its
            name), beside each row's ``point``, ``replication``, ``attempt``, ``person`` and
            ``arm``.
        point, arm, replication : value or list of values, optional
            Only the runs at these design points, of these arms, of these replications
            (all: None).

        Returns
        -------
        pandas.DataFrame
            The rows of :attr:`people` of those runs, in its order, with those columns.

        Examples
        --------
        The level and first week as a poster of everyone under the first arm at point 0::

            results.read_people(["level", "first_poster"], point=0, arm=results.arms[0])
        """
        from simulator.people import COLUMNS

        lead = ["point", "replication", "attempt", "person", "arm"]
        if isinstance(columns, str):  # (one column, not its letters)
            columns = [columns]
        for column in columns or []:
            if column not in COLUMNS and column not in lead:
                every = list(dict.fromkeys([*lead, *COLUMNS]))  # (person is in both)
                like = did_you_mean(column, every)
                raise ValueError(
                    f"read_people: column {column!r} is not a column of the people table"
                    f"{f'; did you mean {like!r}?' if like else ''} (its columns:"
                    f" {', '.join(every)})"
                )
        arms = _chosen("arm", arm, self.arms)
        points = _chosen("point", point, range(self.manifest.get("design_points", 1)))
        replications = _chosen("replication", replication, range(self.manifest["replications"]))
        tests = [
            pc.field(name).isin(values)
            for name, values in (("point", points), ("replication", replications))
            if values is not None
        ]
        return of_table(
            self.path,
            "people",
            self.outcomes,
            ["person"],
            columns=None if columns is None else [c for c in columns if c not in lead],
            arms=arms,
            where=functools.reduce(operator.and_, tests) if tests else None,
        )

    def model(
        self,
        point: int,
        arm: str,
        replication: int,
        *,
        agents: bool = True,
        org_csv: str | Path | None = None,
        ties_csv: str | Path | None = None,
    ) -> OrgModel:
        """One run of the folder as a Mesa model at week 0, to step week by week and inspect
        (:meth:`simulator.plan.RunSpec.model` of :func:`rebuild`, whose errors it raises for
        a run not planned; ``org_csv`` and ``ties_csv``: where a moved org chart is now).

        ``model.run()`` runs it to the horizon: its ``outcomes()`` are the run's row of
        :attr:`outcomes`, bit for bit, and with ``[record] people``,
        ``simulator.people.frame(model)`` its rows of :meth:`read_people`.

        Examples
        --------
        The weekly poster share of a run that looks odd::

            model = results.model(point=3, arm="delegate", replication=7)
            for week in range(model.params.steps):
                model.step()
                print(model.week, model.poster_share())
        """
        spec = rebuild(self, point, arm, replication, org_csv=org_csv, ties_csv=ties_csv)
        return spec.model(agents=agents)

    @property
    def arms(self) -> list[str]:
        return list(self.manifest["arms"])

    @property
    def kept_tables(self) -> list[str]:
        """The tables beside the outcomes that every finished run has rows in, by the
        scenario's ``[record]`` (:func:`~simulator.results_tables.kept_tables`)."""
        return kept_tables(self.manifest.get("scenario", {}).get("record", {}))

    def counts(self) -> dict[str, int]:
        """The runs planned, finished (``ok``), ``failed`` and not run (``missing``)."""
        outcomes = self.outcomes
        planned = int(self.manifest.get("runs_planned", len(outcomes)))
        ok = int((outcomes["status"] == "ok").sum()) if not outcomes.empty else 0
        failed = len(outcomes) - ok
        return {"planned": planned, "ok": ok, "failed": failed, "missing": planned - ok - failed}

    @property
    def axes(self) -> list[str]:
        return list(self.manifest["axes"])

    @property
    def points(self) -> list[dict[str, Any]]:
        """Each design point's swept values, by point number (``{}`` without axes)."""
        return list(self.manifest.get("resolved", {}).get("points", []))

    @property
    def point_labels(self) -> dict[int, str]:
        """Each design point in words (``culture.openness = 0.3``): panel titles, e.g.
        ``arm_curves(results.series, point_labels=results.point_labels)``."""
        return {i: point_label(p) for i, p in enumerate(self.points)}

    def with_axes(self, table: pd.DataFrame) -> pd.DataFrame:
        """``table`` (the series, the levels, or any with ``point``, ``arm`` and
        ``replication``) with each run's swept values as its outcomes row holds them (an
        arm that sets a swept parameter itself: its own value), e.g. the weekly poster
        share by openness: ``results.with_axes(results.series)``."""
        axes = [a for a in self.axes if a in self.outcomes and a not in table]
        missing = [k for k in KEY if k not in table]
        if missing:
            raise ValueError(
                f"with_axes joins a table to its runs by {', '.join(KEY)}; this one has no"
                f" {', '.join(missing)}"
            )
        runs = self.outcomes[[*KEY, *axes]].astype(table[KEY].dtypes.to_dict())
        return table.merge(runs, on=KEY, how="left", validate="many_to_one")


def point_label(point: dict[str, Any]) -> str:
    """``a.b = 1, c.d = x`` for a design point (``all runs`` without axes)."""
    return ", ".join(f"{k} = {short_value(v)}" for k, v in point.items()) or "all runs"


def short_value(value: Any) -> str:
    """A value as tables and titles show it: floats to 4 significant digits."""
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def load(path: str | Path, levels: Literal["all", "last"] = "all") -> Results:
    """Read a results folder; per run keep the finished attempt (else the latest failed one).

    ``levels="last"`` keeps only each run's last recorded week of the shares by level (what
    the report draws): a big sweep's levels table, a row per run, week and level, is then
    read file by file without being held whole.

    Finished runs whose series, levels or people file is gone (deleted, or moved out as
    damaged) keep their outcomes row but have no rows in that table: a ``UserWarning`` says
    how many, of which tables, and the ``orgsim sweep`` command that runs them again
    (:func:`~simulator.results_files.rerun_command`); :attr:`Results.lost` holds them.
    """
    if levels not in ("all", "last"):
        raise ValueError(f"levels = {levels!r}: must be 'all' or 'last'")
    path = Path(path)
    manifest_path = path / "manifest.json"
    if not path.exists():
        raise ResultsError(f"{path}: no such folder")
    if not manifest_path.exists():
        raise ResultsError(f"{path}: no manifest.json; not a results folder (run 'orgsim sweep')")
    manifest = read_manifest(manifest_path)
    finished = read_table(path, "outcomes", pattern="part-*")
    failed_parts = [  # (and where folders written before kept them)
        read_table(path, "failed"),
        read_table(path, "outcomes", pattern="failed-*"),
    ]
    failed = pd.concat([f for f in failed_parts if not f.empty] or failed_parts[:1])
    lost = Lost()
    if not finished.empty:  # (every attempt's rows: as a resumed sweep counts them)
        record = manifest.get("scenario", {}).get("record", {})
        ok = finished[finished["status"] == "ok"] if "status" in finished else finished
        lost = lost_runs(path, kept_tables(record), ok, manifest)
        finished = finished.sort_values([*KEY, "attempt"]).drop_duplicates(KEY, keep="last")
    if not failed.empty:
        done = finished.set_index(KEY).index if not finished.empty else pd.Index([])
        failed = failed[~failed.set_index(KEY).index.isin(done)]
        failed = failed.sort_values([*KEY, "attempt"]).drop_duplicates(KEY, keep="last")
    outcomes = (
        pd.concat([f for f in (finished, failed) if not f.empty], ignore_index=True)
        if not (finished.empty and failed.empty)
        else finished
    )
    if not outcomes.empty:
        outcomes = outcomes.sort_values(KEY).reset_index(drop=True)
        if "deepest_level" in outcomes:  # folders written before a4e3677 said -1 for none
            level = outcomes["deepest_level"].astype("float64")
            outcomes["deepest_level"] = level.where(level >= 0)
    elif outcomes.columns.empty:  # no run finished yet: no rows, but the key columns
        outcomes = pd.DataFrame(columns=[*KEY, "attempt", "status"])
    outcomes.attrs["arms"] = list(manifest["arms"])  # (the order summarise shows them in)
    resolved = manifest.get("resolved", {})
    axes = set().union(*resolved.get("points", []))
    outcomes.attrs["overrides"] = {  # the arms that set a swept parameter themselves
        arm: sorted(axes & set(updates))
        for arm, updates in resolved.get("arms", {}).items()
        if axes & set(updates)
    }
    from simulator.analysis import horizons

    outcomes.attrs["steps"] = horizons(resolved)  # (weeks to a milestone: at most these)
    from simulator.nesting import org_count

    orgs = org_count(manifest)
    if orgs is not None:  # (replications that share organisations: summarise labels its CIs)
        outcomes.attrs["orgs"] = orgs
    if manifest.get("scenario", {}).get("outcomes"):  # (labels, units, kinds of [outcomes])
        from simulator.custom_outcomes import of_manifest

        outcomes.attrs["measures"] = of_manifest(manifest)
    tables = {
        name: of_table(path, name, outcomes, within, last=name == "levels" and levels == "last")
        for name, within in (("series", ["step"]), ("levels", ["step", "level"]))
    }
    if not tables["levels"].empty:  # (deepest_level: at most the deepest level recorded)
        outcomes.attrs["levels"] = int(tables["levels"]["level"].max()) + 1
    if lost.runs:
        ok_runs = int((outcomes["status"] == "ok").sum())
        warnings.warn(f"{path}: {lost.said(path, ok_runs)}", UserWarning, stacklevel=2)
    return Results(path, manifest, outcomes, tables["series"], tables["levels"], lost)


def rebuild(
    results: Results,
    point: int,
    arm: str,
    replication: int,
    *,
    org_csv: str | Path | None = None,
    ties_csv: str | Path | None = None,
) -> RunSpec:
    """The :class:`~simulator.plan.RunSpec` of one run, rebuilt from the manifest alone.

    ``simulator.sweep.run(rebuild(...))`` reproduces that run bit for bit. Runs on an org
    chart read it from where the manifest says it was, or from ``org_csv`` (and
    ``ties_csv``) where it has moved; it must hold what it held then.
    """
    given = {
        k: str(Path(v).resolve()) for k, v in (("org_csv", org_csv), ("ties_csv", ties_csv)) if v
    }
    try:
        plan = manifest_plan(results.manifest, given)
    except SimulatorError as err:
        hint = "" if given else " (moved? rebuild(..., org_csv='where/it/is.csv'))"
        raise ResultsError(f"{results.path}: {err}{hint}") from None
    if results.manifest["digest"] not in plan.digests():
        then = results.manifest.get("resolved", {}).get("org_chart")
        if then is not None and plan.chart is not None and then != plan.chart.describe():
            raise ResultsError(
                f"{results.path}: its runs were on an org chart that has changed since"
                f" ({plan.chart.path}: SHA-256 {then.get('sha256')} then,"
                f" {plan.chart.sha256} now): give the chart they ran on"
            )
        raise ResultsError(
            f"{results.path}: the manifest's scenario no longer plans the same "
            "runs with this version of orgsim"
        )
    wrong = []
    if not (is_whole(point) and 0 <= point < len(plan.points)):
        wrong.append(f"point {point!r} (the design has points 0 to {len(plan.points) - 1})")
    if arm not in plan.arms:
        wrong.append(f"arm {arm!r} (its arms are {', '.join(map(repr, plan.arms))})")
    if not (is_whole(replication) and 0 <= replication < plan.replications):
        wrong.append(
            f"replication {replication!r} (it ran replications 0 to {plan.replications - 1})"
        )
    if wrong:
        raise ResultsError(f"{results.path}: no such run planned: {'; '.join(wrong)}")
    return plan.spec(int(point), arm, int(replication))


def _chosen(name: str, value: Any, allowed: Sequence[Any]) -> list[Any] | None:
    """The values of the key column ``name`` asked for (a value, or a list of them; None:
    all), each checked to be one of ``allowed`` (a ``range``: whole numbers in it):
    :meth:`Results.read_people`'s filters."""
    if value is None:
        return None
    numbers = isinstance(allowed, range)
    values = (
        list(value) if isinstance(value, Collection) and not isinstance(value, str) else [value]
    )
    for v in values:
        if (numbers and not is_whole(v)) or v not in allowed:
            held = f"0 to {len(allowed) - 1}" if numbers else ", ".join(map(repr, allowed))
            raise ValueError(
                f"read_people: {name} = {v!r} is not in this folder (its {name}s: {held})"
            )
    return [int(v) for v in values] if numbers else values


_FOLDER_DIFF = ("VARYING", "FolderDiff", "compare", "_run", "_comparable", "_differing")
"""Names of :mod:`simulator.folder_diff`, which compares two folders, that were this
module's: still importable from here (``from simulator.results import compare``)."""

if not TYPE_CHECKING:  # (mypy takes the imports at the top instead, and has no catch-all)

    def __getattr__(name: str) -> Any:
        """:data:`_FOLDER_DIFF`, imported on first use: :mod:`simulator.folder_diff` reads
        folders with :func:`load`, so it imports this module, not the other way round."""
        if name in _FOLDER_DIFF:
            from simulator import folder_diff

            return getattr(folder_diff, name)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
