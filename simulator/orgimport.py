"""Import a real org chart from CSV tables, with errors a spreadsheet user can act on.

The org table has a header row and one row per person: required columns ``id`` and
``manager_id`` (empty for the top leader), optional ``unit``, ``title`` and ``level``.
An optional ties table (columns ``source`` and ``target``) lists informal lateral ties.
Both are read by :func:`simulator.csvtable.read_table` (separators, Excel's ``sep=`` line,
quoting, rows that do not fit the header); this module gives the columns their meaning and
builds the organisation (:func:`load_org_csv`; :class:`Chart` for a scenario's runs, also
made from a networkx graph, :meth:`Chart.from_networkx`, and written as a table,
:meth:`Chart.to_csv`).
Every problem raises :class:`OrgChartError` with one line naming the file, the row (as a
spreadsheet shows it: the header is row 1), the column, the value and what is allowed;
legitimate data that changes a run's meaning (grades with gaps, an empty ties table, a
ties column that is not used) gives a ``UserWarning`` naming the file.

Examples
--------
>>> import numpy as np, tempfile, pathlib
>>> from simulator.params import OrgParams
>>> path = pathlib.Path(tempfile.mkdtemp()) / "org.csv"
>>> _ = path.write_text("id,manager_id\\nceo,\\na,ceo\\nb,ceo\\nc,a\\n")
>>> org = load_org_csv(path, OrgParams(), np.random.default_rng(0))
>>> org.manager.tolist(), org.level.tolist(), org.unit_names
([-1, 0, 0, 1], [0, 1, 1, 2], ('Top team', 'Unit 1', 'Unit 2'))
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from simulator.csvtable import OrgChartError, Path, Rows, quote, read_table
from simulator.orgchart import ROOT, Org, complete_org
from simulator.params import OrgParams

TOP_TEAM = "Top team"
"""Unit name of the top leader when the table gives none."""
MAX_LEVEL = 1000
"""Largest accepted value in the ``level`` column."""

_LEVEL = re.compile(r"[0-9]+(\.0*)?")


@dataclass(frozen=True, eq=False)
class OrgTable:
    """A parsed, validated org table; person ``i`` is data row ``i`` (spreadsheet row i+2).

    Parameters
    ----------
    path : str
    ids, titles : tuple of str
    manager : int array, shape (n,)
        Index of each person's manager, ``ROOT`` (-1) for the top leader.
    depth : int array, shape (n,)
        Steps below the top leader (what :func:`simulator.orgchart.levels_of` gives).
    level : int array or None
        The ``level`` column as given (grades), ``None`` when absent or entirely empty.
    unit : int array or None
        Index into ``unit_names`` (empty cells inherit the manager's unit), ``None`` when
        there is no ``unit`` column.
    unit_names : tuple of str
        Sorted distinct unit names; empty without a ``unit`` column.
    """

    path: str
    ids: tuple[str, ...]
    manager: np.ndarray
    depth: np.ndarray
    level: np.ndarray | None
    unit: np.ndarray | None
    unit_names: tuple[str, ...]
    titles: tuple[str, ...]


def _nearest(anchor: np.ndarray) -> np.ndarray:
    """Follow pointers to their fixpoints by pointer doubling (the forest must be acyclic)."""
    while True:
        nxt = anchor[anchor]
        if np.array_equal(nxt, anchor):
            return anchor
        anchor = nxt


def parse_level(name: str, number: int, value: str, separator: str = ",") -> int:
    """A ``level`` cell as an int, or an error naming the row and the value.

    ``3.0`` is 3 (a spreadsheet's number format); so is ``3,0`` in a table whose separator
    is not a comma (where a comma is the decimal mark).
    """
    if not value:
        problem = "empty level; give every person a level or leave the whole column empty"
        raise OrgChartError(name, problem, row=number, column="level")
    number_text = value.replace(",", ".", 1) if separator != "," else value
    if not _LEVEL.fullmatch(number_text) or float(number_text) > MAX_LEVEL:
        allowed = f"level must be a whole number >= 0 (at most {MAX_LEVEL})"
        problem = f"invalid level {quote(value)}; {allowed}"
        raise OrgChartError(name, problem, row=number, column="level")
    return int(float(number_text))


def read_org_table(path: Path) -> OrgTable:
    """Parse and validate an org table (no randomness).

    Parameters
    ----------
    path : str or path-like
        CSV with a header: ``id``, ``manager_id`` and optionally ``unit``, ``title``,
        ``level`` (names matched case-insensitively; other columns are ignored).

    Returns
    -------
    OrgTable

    Raises
    ------
    OrgChartError
        At the first problem: in the file's layout (a row with more or fewer cells than the
        header, a repeated header), then in row order empty or duplicate ids, bad levels,
        unknown or own managers, then too few people, no or several top leaders, and loops.

    Warns
    -----
    UserWarning
        When some level between 0 and the deepest one has nobody (grades with gaps):
        ``leaders.levels`` and ``org.follow_levels`` count levels, so they reach fewer people.
    """
    name = os.fspath(path)
    rows, separator, _ = read_table(path, ("id", "manager_id"), ("unit", "title", "level"))
    first: dict[str, int] = {}
    for i, (number, row) in enumerate(rows):
        pid = row["id"]
        if not pid:
            raise OrgChartError(name, "empty id; every person needs an id", row=number, column="id")
        if pid in first:
            seen = rows[first[pid]][0]
            problem = f"duplicate id {quote(pid)} (first seen at row {seen}, again at row {number})"
            raise OrgChartError(name, problem + "; ids must be unique", row=number, column="id")
        first[pid] = i
    level = None
    if any(row.get("level") for _, row in rows):
        levels = [parse_level(name, number, row["level"], separator) for number, row in rows]
        level = np.array(levels, dtype=np.int64)
    manager = np.full(len(rows), ROOT, dtype=np.int64)
    for i, (number, row) in enumerate(rows):
        boss = row["manager_id"]
        if not boss:
            continue
        if boss not in first:
            problem = f"unknown manager {quote(boss)}: no row has this id (top leader: leave empty)"
            raise OrgChartError(name, problem, row=number, column="manager_id")
        if first[boss] == i:
            problem = f"{quote(boss)} is their own manager; the top leader has an empty manager_id"
            raise OrgChartError(name, problem, row=number, column="manager_id")
        manager[i] = first[boss]
    ids = tuple(row["id"] for _, row in rows)
    depth = _check_tree(name, rows, ids, manager)
    if level is not None:
        below = np.flatnonzero((manager != ROOT) & (level < level[manager]))
        if len(below):
            who, head = int(below[0]), int(manager[below[0]])
            problem = (
                f"{quote(ids[who])} (level {level[who]}) reports to {quote(ids[head])} (level"
                f" {level[head]}, row {rows[head][0]}), but levels count down from 0 at the"
                " top: a manager's level must not be greater than their reports'"
                f" ({len(below):,} {'row breaks' if len(below) == 1 else 'rows break'} this;"
                " grades numbered from the bottom up?"
                " leave the column empty to count levels from the reporting lines)"
            )
            raise OrgChartError(name, problem, row=rows[who][0], column="level")
        warn_of_empty_levels(name, level)
    unit: np.ndarray | None = None
    unit_names: tuple[str, ...] = ()
    if "unit" in rows[0][1]:
        unit, unit_names = unit_codes([row["unit"] for _, row in rows], manager)
    titles = tuple(row.get("title", "") for _, row in rows)
    return OrgTable(name, ids, manager, depth, level, unit, unit_names, titles)


def unit_codes(names: Sequence[str], manager: np.ndarray) -> tuple[np.ndarray, tuple[str, ...]]:
    """Each person's unit, an index into the sorted distinct ``names``, and those names: an
    empty name is the manager's unit, the top leader's is :data:`TOP_TEAM`."""
    names = list(names)
    root = int(np.flatnonzero(manager == ROOT)[0])
    names[root] = names[root] or TOP_TEAM
    unit_names = tuple(sorted(set(names) - {""}))
    code = dict(zip(unit_names, range(len(unit_names)), strict=True))
    given = np.array([code.get(u, -1) for u in names], dtype=np.int64)
    return given[_nearest(np.where(given >= 0, np.arange(len(names)), manager))], unit_names


def org_table_text(table: OrgTable) -> str:
    """The org table as CSV text that :func:`read_org_table` reads as the same table:
    ``id``, ``manager_id``, then ``unit`` (each person's, inherited ones written out) when the
    table has units, ``title``, and ``level`` when it has levels.

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "org.csv"
    >>> _ = path.write_text("ID;Manager ID;Unit\\nceo;;\\na;ceo;Sales\\nb;a;\\n")
    >>> print(org_table_text(read_org_table(path)), end="")
    id,manager_id,unit,title
    ceo,,Top team,
    a,ceo,Sales,
    b,a,Sales,
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    units, levels = table.unit is not None, table.level is not None
    writer.writerow(["id", "manager_id", *["unit"] * units, "title", *["level"] * levels])
    for i, pid in enumerate(table.ids):
        boss = int(table.manager[i])
        row = [pid, table.ids[boss] if boss >= 0 else ""]
        if table.unit is not None:
            row.append(table.unit_names[table.unit[i]])
        row.append(table.titles[i])
        if table.level is not None:
            row.append(str(int(table.level[i])))
        writer.writerow(row)
    return buffer.getvalue()


def _listed(values: np.ndarray, most: int = 10) -> str:
    shown = ", ".join(str(v) for v in values[:most])
    return shown + (", ..." if len(values) > most else "")


def warn_of_empty_levels(name: str, level: np.ndarray) -> None:
    """Warn of grades with gaps: levels between 0 and the deepest one that nobody is at."""
    given = np.unique(level)
    empty = np.setdiff1d(np.arange(given[-1] + 1), given)
    if not len(empty):
        return
    problem = (
        f"nobody is at level{'s' * (len(empty) > 1)} {_listed(empty)} (the level column"
        f" has {_listed(given)}); leaders.levels and org.follow_levels count levels from 0"
        " (the top), so they reach fewer people than with grades numbered 0, 1, 2, ..."
    )
    reached, top_two = int((level < 2).sum()), int(np.isin(level, given[:2]).sum())
    if reached != top_two:
        problem += (
            f" (at the default 2 they reach {reached:,} {'person' if reached == 1 else 'people'}"
            f" here, not the {top_two:,} of the top two grades)"
        )
    problem += ": renumber the grades 0, 1, 2, ... or set leaders.levels and org.follow_levels"
    warnings.warn(f"{name}: {problem} accordingly", UserWarning, stacklevel=3)


def _check_tree(name: str, rows: Rows, ids: tuple[str, ...], manager: np.ndarray) -> np.ndarray:
    """Check for one top leader and no loops; return each person's depth."""
    n = len(rows)
    if n < 2:
        people = "no people (only a header)" if n == 0 else "only 1 person"
        raise OrgChartError(name, f"{people}; an org chart needs at least 2 people")
    roots = np.flatnonzero(manager == ROOT)
    if len(roots) == 0:
        problem = "no top leader: every row has a manager_id; the top leader needs an empty one"
        raise OrgChartError(name, problem)
    if len(roots) > 1:
        listed = ", ".join(f"row {rows[r][0]} {quote(ids[r])}" for r in roots[:5])
        more = f" and {len(roots) - 5} more" if len(roots) > 5 else ""
        problem = f"{len(roots)} people have an empty manager_id ({listed}{more}); "
        raise OrgChartError(
            name, problem + "exactly one top leader is allowed", column="manager_id"
        )
    root = int(roots[0])
    parent = np.where(manager == ROOT, root, manager)
    depth = (manager != ROOT).astype(np.int64)
    for _ in range(int(np.ceil(np.log2(n))) + 1):
        depth, parent = depth + depth[parent], parent[parent]
    lost = np.flatnonzero(parent != root)
    if len(lost):
        cycle = loop_through(manager, int(parent[lost[0]]))
        shown = [f"{quote(ids[i])} (row {rows[i][0]})" for i in cycle[:8]]
        loop = " -> ".join([*shown, "..." if len(cycle) > 8 else quote(ids[cycle[0]])])
        problem = f"the manager chain loops: {loop}; {len(lost)} people do not lead up to "
        problem += f"the top leader {quote(ids[root])} (row {rows[root][0]})"
        raise OrgChartError(name, problem, row=rows[cycle[0]][0], column="manager_id")
    return depth


def loop_through(manager: np.ndarray, person: int) -> list[int]:
    """The loop of reporting lines ``person`` lies on (each person, then their manager),
    from its first row: ``person`` found as a reporting line's end after ``2**k >= n`` steps
    up, which is on a loop when it is not the top. (A plain walk: ``nx.find_cycle`` takes
    seconds on a loop of 100,000 people.)

    >>> loop_through(np.array([-1, 3, 1, 2]), 2)
    [1, 3, 2]
    """
    cycle, i = [person], int(manager[person])
    while i != cycle[0]:
        cycle.append(i)
        i = int(manager[i])
    start = cycle.index(min(cycle))
    return cycle[start:] + cycle[:start]


def read_ties_table(path: Path, ids: Sequence[str]) -> np.ndarray:
    """Read informal ties (columns ``source``, ``target``) between ids of the org table.

    Returns
    -------
    int array, shape (m, 2)
        Person indices, each undirected pair once with ``i < j``, sorted; repeated ties and
        both directions are merged.

    Warns
    -----
    UserWarning
        When the table has other columns (ties have no weight of their own), or no ties at
        all (the organisation then has no informal ties).
    """
    name = os.fspath(path)
    index = {pid: i for i, pid in enumerate(ids)}
    pairs = []
    table = read_table(path, ("source", "target"))
    for number, row in table.rows:
        ends = []
        for col in ("source", "target"):
            value = row[col]
            if value not in index:
                problem = f"unknown id {quote(value)}; ties must join ids of the org chart"
                if not value:
                    problem = f"empty {col}; every tie needs a source and a target id"
                raise OrgChartError(name, problem, row=number, column=col)
            ends.append(index[value])
        if ends[0] == ends[1]:
            problem = f"self-tie {quote(row['source'])}; a tie must join two different people"
            raise OrgChartError(name, problem, row=number, column="target")
        pairs.append(sorted(ends))
    if table.unused:
        columns = ", ".join(quote(col) for col in table.unused)
        problem = (
            f"column{'s' * (len(table.unused) > 1)} {columns} not used: ties are unweighted"
            " (every informal tie has the weight attention.lateral_weight)"
        )
        warnings.warn(f"{name}: {problem}", UserWarning, stacklevel=2)
    if not pairs:
        problem = (
            "no ties (a header and no rows), so the organisation has no informal ties at all;"
            " without a ties table they are drawn from org.lateral_within and org.lateral_across"
        )
        warnings.warn(f"{name}: {problem}", UserWarning, stacklevel=2)
        return np.zeros((0, 2), dtype=np.int64)
    return np.unique(np.array(pairs, dtype=np.int64), axis=0)


def load_org_csv(
    path: Path, params: OrgParams, rng: np.random.Generator, *, ties: Path | None = None
) -> Org:
    """Build an :class:`~simulator.orgchart.Org` from an org table (and a ties table).

    Parameters
    ----------
    path : str or path-like
        The org table (see :func:`read_org_table`).
    params : OrgParams
        Informal-tie, follow and audience parameters (the shape parameters are ignored).
    rng : numpy.random.Generator
        Source of the random ties, follows and audiences.
    ties : str or path-like, optional
        Informal ties (see :func:`read_ties_table`); when given they are the only informal
        ties, else ties are drawn from ``params`` as for a generated org.

    Returns
    -------
    Org
        Person ``i`` is data row ``i``. Levels are the ``level`` column, else the depth;
        units the ``unit`` column, else one per direct report of the top leader.
    """
    table = read_org_table(path)
    lateral = None if ties is None else read_ties_table(ties, table.ids)
    return org_of_table(table, params, rng, lateral)


def file_digest(path: Path) -> str:
    """The SHA-256 of a file's bytes as 64 hex digits, to record which table a run used.

    Raises :class:`OrgChartError` for a missing or unreadable file, as the readers do.

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "org.csv"
    >>> _ = path.write_bytes(b"id,manager_id\\nceo,\\na,ceo\\n")
    >>> file_digest(path)
    '693c9df986a6ce1d27767e6b16ad2c1154ec9517b744ea583e3b3a9154139c5f'
    """
    name = os.fspath(path)
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except FileNotFoundError as err:
        raise OrgChartError(name, "file not found") from err
    except OSError as err:
        raise OrgChartError(name, f"cannot read the file ({err.strerror or err})") from err


def write_org_csv(org: Org, path: Path) -> None:
    """Write ``id, manager_id, unit, title, level`` so that :func:`load_org_csv` reads it back."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "manager_id", "unit", "title", "level"])
        for i in range(org.n):
            boss = int(org.manager[i])
            unit = org.unit_names[org.unit[i]]
            writer.writerow(
                [org.ids[i], org.ids[boss] if boss >= 0 else "", unit, org.titles[i], org.level[i]]
            )


def org_of_table(
    table: OrgTable, params: OrgParams, rng: np.random.Generator, lateral: np.ndarray | None
) -> Org:
    """The :class:`~simulator.orgchart.Org` of a read org table (see :func:`load_org_csv`):
    its informal ties ``lateral`` (pairs of person indices), or drawn from ``params`` when
    None, and follows and audiences drawn from ``params`` with ``rng``."""
    unit, unit_names = table.unit, table.unit_names
    if unit is None:
        n = len(table.ids)
        head = _nearest(np.where(table.depth <= 1, np.arange(n), table.manager))
        heads = np.flatnonzero(table.depth == 1)
        unit = np.where(table.depth == 0, 0, np.searchsorted(heads, head) + 1).astype(np.int64)
        unit_names = (TOP_TEAM, *(f"Unit {u}" for u in range(1, len(heads) + 1)))
    return complete_org(
        table.manager,
        params,
        rng,
        level=table.depth if table.level is None else table.level,
        unit=unit,
        unit_names=unit_names,
        ids=table.ids,
        titles=table.titles,
        lateral=lateral,
    )


@dataclass(frozen=True, eq=False)
class Chart:
    """An org chart a scenario runs on (``[scenario] org_csv``, ``ties_csv``): the tables
    read once, so that every replication's organisation is built from them (in a worker
    process too, without the files), with each file's SHA-256 to tell a changed file."""

    path: str
    table: OrgTable
    sha256: str
    ties_path: str | None = None
    lateral: np.ndarray | None = None
    ties_sha256: str | None = None

    def __repr__(self) -> str:  # (not every array: a chart of 20,000 people filled a screen)
        ties = (
            f", {len(self.lateral):,} ties from {self.ties_path}"
            if self.lateral is not None
            else ""
        )
        return f"Chart({self.path}: {self.n:,} people{ties})"

    @classmethod
    def read(cls, path: Path) -> Chart:
        """Read and check the org table; :class:`OrgChartError` if bad."""
        return cls(os.fspath(path), read_org_table(path), file_digest(path))

    @classmethod
    def from_networkx(
        cls,
        graph: Any,
        *,
        edges: str = "manager_to_report",
        root: Any = None,
        name: str = "networkx graph",
    ) -> Chart:
        """The chart of a reporting tree held as a networkx graph
        (:func:`simulator.orggraph.table_of_graph`): a directed graph whose ``edges`` run
        manager -> report (or ``"report_to_manager"``), or an undirected tree with its top
        leader ``root``; person ``i`` is the ``i``-th node, with id ``str(node)`` and the
        node attributes ``unit``, ``title`` and ``level`` if given. Its ``sha256`` is that
        of the table :meth:`to_csv` writes, so a scenario whose ``org_csv`` is that file
        makes the runs (and the digest) this chart makes. :class:`OrgChartError` naming the
        node at fault (``name`` says where) if the graph is not a reporting tree.

        >>> import networkx as nx
        >>> chart = Chart.from_networkx(nx.DiGraph([("ceo", "a"), ("ceo", "b"), ("a", "c")]))
        >>> chart, chart.table.manager.tolist()
        (Chart(networkx graph: 4 people), [-1, 0, 0, 1])
        """
        from simulator.orggraph import table_of_graph

        table = table_of_graph(graph, edges=edges, root=root, name=name)
        return cls(name, table, hashlib.sha256(org_table_text(table).encode()).hexdigest())

    def to_csv(self, path: Path, *, ties: Path | None = None) -> None:
        """Write the org table (:func:`org_table_text`, UTF-8) that :meth:`read` reads as
        this chart's, and with ``ties`` its informal ties as a ties table (``source``,
        ``target``) that :meth:`with_ties` reads; without ``ties`` they are not written.

        A chart made by :meth:`from_networkx` gets a file whose SHA-256 is its ``sha256``;
        one read from a file gets the same table, not necessarily the same bytes (a
        semicolon-separated file is written with commas). ``ties`` for a chart without ties
        is refused before anything is written.
        """
        if ties is not None and self.lateral is None:
            raise ValueError(
                f"{self.path}: this chart has no ties table to write (with_ties reads one; or"
                f" leave ties out): nothing written, neither {os.fspath(ties)} nor"
                f" {os.fspath(path)}"
            )
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(org_table_text(self.table))
        if ties is None or self.lateral is None:
            return
        with open(ties, "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(["source", "target"])
            writer.writerows([self.table.ids[i], self.table.ids[j]] for i, j in self.lateral)

    def with_ties(self, path: Path) -> Chart:
        """This chart with the informal ties of a ties table; :class:`OrgChartError` if bad."""
        lateral = read_ties_table(path, self.table.ids)
        return replace(
            self, ties_path=os.fspath(path), lateral=lateral, ties_sha256=file_digest(path)
        )

    @property
    def n(self) -> int:
        return len(self.table.ids)

    def org(self, params: OrgParams, rng: np.random.Generator) -> Org:
        """One replication's organisation (ties, follows and audiences drawn with ``rng``)."""
        return org_of_table(self.table, params, rng, self.lateral)

    def files(self) -> dict[str, str]:
        """Where its tables are read from, by the scenario keys that name them."""
        out = {"org_csv": self.path}
        return out if self.ties_path is None else {**out, "ties_csv": self.ties_path}

    def describe(self) -> dict[str, Any]:
        """What identifies the chart's runs (a scenario's digest): its size and contents."""
        out: dict[str, Any] = {"people": self.n, "sha256": self.sha256}
        return out if self.ties_sha256 is None else {**out, "ties_sha256": self.ties_sha256}
