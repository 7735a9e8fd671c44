"""Reading a table of a results folder: its part files (:mod:`simulator.results`' layout),
one Arrow table per run of files with one schema, and the rows of the attempt each run kept,
sorted by run.

Outcome rows of finished runs are in ``outcomes``, of failed runs in ``failed`` (in
``outcomes/*/failed-*`` files in folders written before). Every file of a table has the same
columns and types in folders written now, so that any Parquet reader reads each table whole;
folders written before the axes had one type (whole numbers in one task, fractions in
another) are read too.
"""

from __future__ import annotations

import collections
import math
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from simulator.results_files import ResultsError, rerun_command

if TYPE_CHECKING:
    import pyarrow.compute as pc


def read_table(
    path: str | Path, table: str, columns: Sequence[str] | None = None, pattern: str = "*"
) -> pd.DataFrame:
    """Complete files of ``table`` matching ``pattern`` (arm from the folder name), concatenated.

    Outcome rows of finished runs are in ``outcomes``, of failed runs in ``failed`` (in
    ``outcomes/*/failed-*`` files in folders written before). Files with the same columns
    and types, one after the other, are joined in Arrow and converted to pandas together (a
    frame per file costs more than its rows in a big sweep); files that differ (in folders
    written before the axes had one type: whole numbers in one task, fractions in another)
    are joined by pandas, as each file alone would convert.
    """
    parts = [_frame(data) for data, _, _ in _read(path, table, columns, pattern)]
    if not parts:
        return pd.DataFrame(columns=list(columns or []))
    return pd.concat(parts, ignore_index=True)


def _read(
    path: str | Path,
    table: str,
    columns: Sequence[str] | None,
    pattern: str,
    last: bool = False,
    arms: Collection[str] | None = None,
    where: pc.Expression | None = None,
) -> Iterator[tuple[pa.Table, np.ndarray, np.ndarray]]:
    """The files of :func:`read_table` as Arrow tables, one per run of files with one schema,
    each with its ``arm`` column last; with each row's arm as its place among the table's
    arms, and those arms sorted by name. The files' own tables are let go as each is
    yielded. ``last``: only the rows of each run's last step (:func:`_last_steps`);
    ``arms``: only those arms' files; ``where``: only the rows it holds for (on columns every
    file has), read by :mod:`pyarrow.dataset`, which skips the parts of a file whose
    statistics rule them out."""
    root = Path(path) / table
    if not root.exists():
        return
    asked = None if columns is None else [c for c in columns if c != "arm"]
    runs: list[tuple[list[pa.Table], list[str]]] = []  # files in a row with one schema
    for arm_dir in sorted(root.glob("arm=*")):
        arm = arm_dir.name.removeprefix("arm=")
        if arms is not None and arm not in arms:
            continue
        for file in sorted(arm_dir.glob(f"{pattern}.parquet")):
            if file.name.startswith("."):
                continue
            try:
                data = _read_file(file, asked, where)
            except (pa.ArrowException, OSError) as err:
                raise ResultsError(f"{file}: {_damaged(file, err)}") from None
            if last:
                data = _last_steps(data)
            if runs and runs[-1][0][0].schema.equals(data.schema):
                runs[-1][0].append(data)
                runs[-1][1].append(arm)
            else:
                runs.append(([data], [arm]))
    while runs:
        tables, arms = runs.pop(0)
        names, codes = np.unique(arms, return_inverse=True)
        rows = np.repeat(codes.astype(np.int32), [t.num_rows for t in tables])
        arm_column = pa.DictionaryArray.from_arrays(pa.array(rows), pa.array(names))
        data = pa.concat_tables(tables)
        del tables
        if data.num_columns == 0:  # (none of the columns asked for: the rows, without values)
            data = pa.table({"arm": arm_column.cast(pa.string())})
        else:
            data = data.append_column("arm", arm_column.cast(pa.string()))
        yield data, rows, names


def _read_file(file: Path, asked: list[str] | None, where: pc.Expression | None) -> pa.Table:
    """The columns ``asked`` (all: None) of a part file that it has, its rows ``where``."""
    if where is None:
        with pq.ParquetFile(file) as parquet:  # (one open for the schema and data)
            names = parquet.schema_arrow.names
            return parquet.read(columns=None if asked is None else [c for c in asked if c in names])
    import pyarrow.dataset as ds  # (only here: a whole table is read without it)

    piece = ds.dataset(file, format="parquet")
    names = piece.schema.names
    return piece.to_table(
        columns=None if asked is None else [c for c in asked if c in names], filter=where
    )


def _damaged(file: Path, err: Exception) -> str:
    """What is wrong with an unreadable part file, and what to do."""
    problem = f"not a readable Parquet file ({' '.join(str(err).split())[:120]}); the sweep"
    problem += " writes every file whole, so it was damaged after (a copy cut short?):"
    if file.parent.parent.name in ("outcomes", "failed"):
        return f"{problem} restore it, or move it out of the folder and rerun 'orgsim sweep'"
    # a run counts as finished by its outcomes row: those must go too for it to run again
    outcomes = file.parent.parent.parent / "outcomes" / file.parent.name / file.name
    return (
        f"{problem} restore it, or move it and {outcomes} out of the folder and rerun"
        " 'orgsim sweep' to run its runs again"
    )


def _last_steps(data: pa.Table) -> pa.Table:
    """The rows of ``data`` (a file's) at the last step of their run and attempt."""
    if data.num_rows == 0:
        return data
    step = data.column("step").to_numpy()
    parts = [data.column(c).to_numpy() for c in ("point", "replication", "attempt")]
    key = _whole_numbers(parts, [int(part.max()) + 1 for part in parts])  # (a few dozen runs)
    _, run = np.unique(key, return_inverse=True)
    last = np.full(run.max() + 1, np.iinfo(np.int64).min)
    np.maximum.at(last, run, step)
    return data.filter(pa.array(step == last[run]))


def _whole_numbers(parts: Sequence[Any], sizes: Sequence[int]) -> np.ndarray:
    """One whole number per row for the columns ``parts``, each below its ``sizes``, that
    sorts as the columns do, first to last (mixed radix; the caller keeps it below 2**63)."""
    out = np.zeros(len(parts[0]), dtype=np.int64)
    for part, size in zip(parts, sizes, strict=True):
        out = out * size + np.asarray(part, dtype=np.int64)
    return out


def _frame(data: pa.Table) -> pd.DataFrame:
    """``data`` in pandas, its Arrow memory given back (mimalloc keeps what is freed)."""
    frame = data.to_pandas(split_blocks=True)
    del data
    pa.default_memory_pool().release_unused()
    return frame


def of_table(
    path: Path,
    name: str,
    runs: pd.DataFrame,
    within: list[str],
    last: bool = False,
    columns: Sequence[str] | None = None,
    arms: Collection[str] | None = None,
    where: pc.Expression | None = None,
) -> pd.DataFrame:
    """The rows of table ``name`` (``series``, ``levels``, ``people``) of the runs and
    attempts in ``runs``, by run and ``within``; no rows, but the key columns, when none
    were recorded (``[record] levels = false``) or none yet. ``columns``: only these beside
    the key columns and ``within``; ``arms``, ``where``: only those rows (:func:`_read`)."""
    lead = ["point", "replication", "attempt", *within]
    read = None if columns is None else list(dict.fromkeys([*lead, *columns]))
    parts = list(_read(path, name, read, "*", last=last, arms=arms, where=where))
    if len(parts) == 1 and parts[0][0].num_rows > 0 and not runs.empty:
        return _frame(_taken(*parts.pop(), runs, within))
    frames = [_frame(data) for data, _, _ in parts]
    nothing = pd.DataFrame(columns=[*(read or lead), "arm"])
    frame = pd.concat(frames, ignore_index=True) if frames else nothing
    if not runs.empty and not frame.empty:
        frame = _of_runs(frame, runs, within)
    return frame


def _taken(
    data: pa.Table, codes: np.ndarray, arms: np.ndarray, runs: pd.DataFrame, within: list[str]
) -> pa.Table:
    """:func:`_of_runs` on Arrow data as :func:`_read` gives it, before pandas: only the rows
    kept are converted, in their order."""
    columns = {c: data.column(c).to_numpy() for c in ("point", "replication", "attempt", *within)}
    kept = _kept_rows(columns, codes, pd.Index(arms), runs, within)
    del columns
    pa.default_memory_pool().release_unused()
    return data.take(kept)


def _of_runs(frame: pd.DataFrame, runs: pd.DataFrame, within: list[str]) -> pd.DataFrame:
    """The rows of ``frame`` whose run (``KEY``) and attempt are a row of ``runs``, sorted by
    run, then by ``within``: what an inner merge on ``[*KEY, "attempt"]`` and a sort give."""
    codes, arms = pd.factorize(frame["arm"], sort=True)
    columns = {c: frame[c].to_numpy() for c in ("point", "replication", "attempt", *within)}
    return frame.take(_kept_rows(columns, codes, arms, runs, within)).reset_index(drop=True)


def _kept_rows(
    columns: dict[str, np.ndarray],
    codes: np.ndarray,
    arms: pd.Index,
    runs: pd.DataFrame,
    within: list[str],
) -> np.ndarray:
    """Positions of the rows (``columns``; ``codes``: each row's arm as its place in ``arms``,
    sorted names) whose run and attempt are a row of ``runs``, in the order of the run and
    then ``within``: an inner merge and a sort made on whole numbers, one per row (arms by
    their places, which sort as their names do), in a fraction of the merge's time and
    memory. A run's rows come in order, one run after another, so the stable sort has
    little to do."""
    run_arms = arms.get_indexer(pd.Index(runs["arm"]))  # -1: an arm without rows here

    def top(column: str) -> int:
        return 1 + max(int(columns[column].max()), int(runs[column].max()))

    sizes = [top("point"), len(arms), top("replication"), top("attempt")]
    steps = [1 + int(columns[c].max()) for c in within]
    if math.prod(sizes) >= 2**63 or math.prod(sizes[:3] + steps) >= 2**63:
        raise ResultsError(f"too many runs to sort their rows: {sizes} (points, arms, ...)")

    mine = run_arms >= 0
    own = runs[mine]
    wanted = _whole_numbers(
        [own["point"], run_arms[mine], own["replication"], own["attempt"]], sizes
    )
    run = _whole_numbers([columns["point"], codes, columns["replication"]], sizes[:3])
    rows = np.flatnonzero(np.isin(run * sizes[3] + columns["attempt"], wanted))
    place = _whole_numbers([run[rows], *(columns[c][rows] for c in within)], [1, *steps])
    return rows[np.argsort(place, kind="stable")]


def kept_tables(record: Mapping[str, Any]) -> list[str]:
    """The tables beside the outcomes that every finished run has rows in, by the
    scenario's ``[record]`` (``levels``, default true; ``people``, default false).

    >>> kept_tables({"levels": True, "people": False})
    ['series', 'levels']
    """
    return [
        "series",
        *(["levels"] if record.get("levels", True) else []),
        *(["people"] if record.get("people", False) else []),
    ]


@dataclass
class Lost:
    """Finished runs whose rows of a kept table are gone (:func:`lost_runs`).

    Attributes
    ----------
    runs : dict
        Each such run (``point``, ``arm``, ``replication``) and the tables it lost.
    parts : list of Path
        The outcome files of those runs whose file of some kept table is gone.
    gone : list of str
        Those files, inside the folder (``series/arm=model/part-000-000003.parquet``).
    again : str
        The command that runs them again (:func:`simulator.results_files.rerun_command`).
    """

    runs: dict[tuple[int, str, int], list[str]] = field(default_factory=dict)
    parts: list[Path] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    again: str = ""

    def of(self, table: str) -> list[tuple[int, str, int]]:
        """The runs that lost their rows of ``table``."""
        return [key for key, tables in self.runs.items() if table in tables]

    def tables(self) -> list[str]:
        """The tables some run lost its rows of."""
        return [t for t in ("series", "levels", "people") if self.of(t)]

    def what(self) -> str:
        """Which files the runs lost, how many runs each where they differ, and the first
        files gone (``lost their series file (series/arm=model/part-000-000000.parquet)``).

        >>> gone = ["people/arm=b/part-000-000001.parquet", "series/arm=a/part-000-000000.parquet"]
        >>> print(Lost({(0, "a", 0): ["series"], (0, "b", 1): ["people"]}, gone=gone).what())
        ... # doctest: +NORMALIZE_WHITESPACE
        lost their series or people file (series: 1 run, people: 1 run;
        people/arm=b/part-000-000001.parquet, series/arm=a/part-000-000000.parquet)
        """
        tables = self.tables()
        counts = [len(self.of(t)) for t in tables]
        files = ", ".join(self.gone[:2]) + (" ..." if len(self.gone) > 2 else "")
        if set(counts) == {len(self.runs)}:  # (each run lost them all)
            files_of = f"file{'s' if len(tables) > 1 else ''}"
            return f"lost their {word_list(tables, 'and')} {files_of} ({files})"
        each = ", ".join(
            f"{t}: {n:,} run{'s' if n > 1 else ''}" for t, n in zip(tables, counts, strict=True)
        )
        return f"lost their {word_list(tables, 'or')} file ({each}; {files})"

    def said(self, path: str | Path, finished: int) -> str:
        """How many of the ``finished`` runs of the folder ``path`` lost which tables, that
        their outcomes are kept, and the command that runs them again (what
        :func:`simulator.results.load` warns and the report says)."""
        tables = self.tables()
        return (
            f"{len(self.runs):,} of the {finished:,} finished runs {self.what()}: their outcomes"
            f" are kept, but every curve and statistic of the {word_list(tables, 'and')}"
            f" table{'s' if len(tables) > 1 else ''} leaves them out;"
            f" '{self.again or rerun_command(path, {})}' runs them again"
        )


def word_list(words: Sequence[str], last: str) -> str:
    """``words`` as a list in a sentence: ``a, b and c`` (``last``: ``and``, ``or``).

    >>> word_list(["series", "levels", "people"], "and"), word_list(["series"], "or")
    ('series, levels and people', 'series')
    """
    return f"{', '.join(words[:-1])} {last} {words[-1]}" if len(words) > 1 else words[0]


def lost_runs(
    path: str | Path,
    tables: Sequence[str],
    finished: pd.DataFrame,
    manifest: Mapping[str, Any] | None = None,
) -> Lost:
    """The finished runs of a folder whose files of some of ``tables`` are gone.

    A task's tables are written as files of one name, outcomes last; an outcomes file whose
    series, levels or people file is gone (deleted, or moved out as damaged) holds runs whose
    rows of that table are lost. ``finished``: the outcome rows of status ``ok``, every
    attempt's (``KEY`` and ``attempt``); each run keeps its last such attempt (as
    :func:`simulator.results.load` keeps its rows), and is lost when every row of that
    attempt is in such a file: one finished again since has its tables, one whose last
    attempt lost them is lost whatever an earlier attempt kept. Rows of another status in
    those files count for nothing. ``manifest``: the folder's, for the command that runs the
    lost runs again (:attr:`Lost.again`).
    """
    root = Path(path)
    found = Lost(again=rerun_command(path, manifest or {}))
    if finished.empty:
        return found
    runs = list(zip(finished["point"], finished["arm"], finished["replication"], strict=True))
    kept: dict[tuple[int, str, int], int] = {}
    for key, attempt in zip(runs, finished["attempt"], strict=True):
        kept[key] = max(int(attempt), kept.get(key, -1))
    rows = collections.Counter(  # (rows of the kept attempt: more than one if it was written twice)
        key for key, attempt in zip(runs, finished["attempt"], strict=True) if attempt == kept[key]
    )
    lost: collections.Counter[tuple[int, str, int]] = collections.Counter()
    missing: dict[tuple[int, str, int], set[str]] = collections.defaultdict(set)
    files: list[tuple[Path, list[str], set[tuple[int, str, int]]]] = []
    for part in sorted((root / "outcomes").glob("arm=*/part-*.parquet")):
        relative = part.relative_to(root / "outcomes")
        without = [table for table in tables if not (root / table / relative).exists()]
        if not without:
            continue
        names = pq.read_schema(part).names
        data = pq.read_table(part, columns=[c for c in _ROW if c in names]).to_pydict()
        arm = part.parent.name.removeprefix("arm=")
        held = set()
        for point, replication, attempt, status in zip(
            data["point"],
            data["replication"],
            data["attempt"],
            data.get("status", ["ok"] * len(data["point"])),
            strict=True,
        ):
            key = (point, arm, replication)
            if status == "ok" and kept.get(key) == attempt:
                lost[key] += 1
                missing[key].update(without)
                held.add(key)
        files.append((part, without, held))
    for key in sorted(lost):
        if lost[key] >= rows[key]:  # (no other file holds the kept attempt's rows)
            found.runs[key] = [t for t in tables if t in missing[key]]
    for part, without, held in files:
        if held & found.runs.keys():
            relative = part.relative_to(root / "outcomes")
            found.parts.append(part)
            found.gone += [(Path(table) / relative).as_posix() for table in without]
    return found


_ROW = ("point", "replication", "attempt", "status")
"""The columns of an outcomes file :func:`lost_runs` reads."""
