"""An org chart from a networkx graph: a reporting tree read as an org table.

NDlib and networkx users hold an organisation as a graph. :func:`table_of_graph` reads the
reporting tree of one into the :class:`~simulator.orgimport.OrgTable` an org CSV gives: a
directed graph whose edges run manager -> report (``edges="manager_to_report"``, as the
``report`` ties of :meth:`Org.to_networkx <simulator.orgchart.Org.to_networkx>`) or report ->
manager (``"report_to_manager"``), or an undirected tree with its top leader named
(``root=``). Person ``i`` is the graph's ``i``-th node, with id ``str(node)``; the node
attributes ``unit``, ``title`` and ``level`` are the table's optional columns (a missing or
None ``unit`` is the manager's unit; ``level``, if any node has one, every node needs: a whole
number, or text the level column takes, such as ``"2"``, as GraphML reads attributes).
:meth:`Chart.from_networkx <simulator.orgimport.Chart.from_networkx>` makes a chart of it.
A graph that is not a reporting tree raises :class:`~simulator.csvtable.OrgChartError`
naming the node, edge or loop at fault and what a tree needs.

Examples
--------
>>> import networkx as nx
>>> g = nx.DiGraph([("ceo", "cto"), ("ceo", "cfo"), ("cto", "dev")])
>>> t = table_of_graph(g)
>>> t.ids, t.manager.tolist(), t.depth.tolist()
(('ceo', 'cto', 'cfo', 'dev'), [-1, 0, 0, 1], [0, 1, 1, 2])
>>> table_of_graph(nx.Graph(g), root="cto").manager.tolist()  # (cto at the top)
[1, -1, 0, 1]
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Hashable, Sequence
from typing import Any

import networkx as nx
import numpy as np

from simulator.csvtable import OrgChartError, quote
from simulator.errors import did_you_mean
from simulator.orgchart import ROOT, levels_of
from simulator.orgimport import (
    MAX_LEVEL,
    OrgTable,
    loop_through,
    parse_level,
    unit_codes,
    warn_of_empty_levels,
)

EDGES = ("manager_to_report", "report_to_manager")
"""Which way a directed graph's reporting edges run (``edges=``)."""


def table_of_graph(
    graph: Any,
    *,
    edges: str = "manager_to_report",
    root: Hashable | None = None,
    name: str = "networkx graph",
) -> OrgTable:
    """The org table of a reporting tree held as a networkx graph (see the module).

    Parameters
    ----------
    graph : networkx.Graph or DiGraph (or a multigraph: parallel edges count once)
    edges : {"manager_to_report", "report_to_manager"}
        Which way a directed graph's edges run; an undirected graph's are oriented away
        from ``root``.
    root : node, optional
        The top leader: needed for an undirected graph; for a directed one, checked.
    name : str
        What the errors call the graph.

    Raises
    ------
    OrgChartError
        Fewer than 2 nodes; two nodes with one id; a node that is its own manager or has
        two; no top leader, several, or (undirected) nodes not joined to ``root`` or a loop;
        a bad ``level`` or ``unit``/``title`` attribute.
    ValueError
        ``edges`` not one of :data:`EDGES`.
    """
    if edges not in EDGES:
        hint = did_you_mean(str(edges), EDGES)
        raise ValueError(
            f"edges = {edges!r}: must be 'manager_to_report' or 'report_to_manager'"
            + (f"; did you mean {hint!r}?" if hint else "")
        )
    nodes = list(graph.nodes)
    ids = _ids(name, nodes)
    if len(nodes) < 2:
        people = "no people (an empty graph)" if not nodes else f"only 1 person ({quote(ids[0])})"
        raise OrgChartError(name, f"{people}; an org chart needs at least 2 people")
    index = {node: i for i, node in enumerate(nodes)}
    if root is not None and root not in index:
        hint = did_you_mean(str(root), ids)
        raise OrgChartError(
            name,
            f"root = {root!r} is not a node of the graph"
            + (f"; did you mean {hint!r}?" if hint else ""),
        )
    loop = next(iter(nx.nodes_with_selfloops(graph)), None)
    if loop is not None:
        raise OrgChartError(name, f"{quote(str(loop))} has an edge to itself; a tree has none")
    if graph.is_directed():
        manager = _directed(name, graph, nodes, index, ids, edges)
        top = _one_top(name, manager, ids, root, index)
    elif root is None:
        raise OrgChartError(
            name,
            "an undirected graph needs root = <its top leader>: its edges do not say who"
            " manages whom (or give a directed graph, edges manager -> report)",
        )
    else:
        manager = _undirected(name, graph, nodes, index, ids, root)
        top = index[root]
    loops = _loop(name, manager, ids, top)
    if loops is not None:
        raise loops
    attrs = [graph.nodes[node] for node in nodes]
    level = _levels(name, attrs, ids, manager)
    unit: np.ndarray | None = None
    unit_names: tuple[str, ...] = ()
    if any(a.get("unit") is not None for a in attrs):
        unit, unit_names = unit_codes(_texts(name, attrs, ids, "unit"), manager)
    titles = tuple(_texts(name, attrs, ids, "title"))
    return OrgTable(name, tuple(ids), manager, levels_of(manager), level, unit, unit_names, titles)


def _ids(name: str, nodes: Sequence[Hashable]) -> list[str]:
    """``str(node)`` of each node: non-empty, on one line, without spaces at its ends (what
    an org CSV keeps), and unique."""
    ids = [str(node) for node in nodes]
    first: dict[str, Hashable] = {}
    for node, pid in zip(nodes, ids, strict=True):
        problem = None
        if not pid.strip():
            problem = "is an empty id; every person needs an id"
        elif pid != pid.strip() or "\n" in pid or "\r" in pid:
            problem = "has spaces or line breaks at its ends or inside, which an org CSV drops"
        elif pid in first:
            problem = f"and node {first[pid]!r} both have the id {quote(pid)}; ids must be unique"
        if problem:
            raise OrgChartError(name, f"node {node!r} (str(node) = {quote(pid)}) {problem}")
        first[pid] = node
    return ids


def _directed(
    name: str,
    graph: Any,
    nodes: list[Hashable],
    index: dict[Hashable, int],
    ids: list[str],
    edges: str,
) -> np.ndarray:
    """Each person's manager from the edges into (manager_to_report) or out of them."""
    up = graph.predecessors if edges == "manager_to_report" else graph.successors
    manager = np.full(len(nodes), ROOT, dtype=np.int64)
    for i, node in enumerate(nodes):
        bosses = list(dict.fromkeys(up(node)))
        if len(bosses) > 1:
            shown = ", ".join(quote(ids[index[b]]) for b in bosses[:5])
            other = "report_to_manager" if edges == "manager_to_report" else "manager_to_report"
            raise OrgChartError(
                name,
                f"{quote(ids[i])} has {len(bosses)} managers ({shown}"
                f"{', ...' if len(bosses) > 5 else ''}); in a reporting tree each person has"
                f" one (edges = {edges!r}: if yours run the other way, give edges={other!r})",
            )
        if bosses:
            manager[i] = index[bosses[0]]
    return manager


def _one_top(
    name: str,
    manager: np.ndarray,
    ids: list[str],
    root: Hashable | None,
    index: dict[Hashable, int],
) -> int:
    """The one person without a manager (``root``, if given, must be them)."""
    tops = np.flatnonzero(manager == ROOT)
    if root is not None and manager[index[root]] != ROOT:
        boss = ids[int(manager[index[root]])]
        raise OrgChartError(
            name, f"root = {root!r} has a manager, {quote(boss)}; the top leader has none"
        )
    loops = _loop(name, manager, ids, -1) if len(tops) == 0 else None
    if loops is not None:  # (every line loops)
        raise loops
    if len(tops) > 1:
        shown = ", ".join(quote(ids[t]) for t in tops[:5]) + (", ..." if len(tops) > 5 else "")
        raise OrgChartError(
            name,
            f"{len(tops)} people have no manager ({shown}); exactly one top leader is allowed"
            " (several trees? give them one top leader)",
        )
    return int(tops[0])


def _undirected(
    name: str,
    graph: Any,
    nodes: list[Hashable],
    index: dict[Hashable, int],
    ids: list[str],
    root: Hashable,
) -> np.ndarray:
    """Each person's manager: their neighbour on the way to ``root`` (a tree's only way)."""
    simple = nx.Graph(graph)
    manager = np.full(len(nodes), ROOT, dtype=np.int64)
    for parent, node in nx.bfs_edges(simple, root):
        manager[index[node]] = index[parent]
    apart = [i for i, node in enumerate(nodes) if node != root and manager[i] == ROOT]
    if apart:
        shown = ", ".join(quote(ids[i]) for i in apart[:5]) + (", ..." if len(apart) > 5 else "")
        raise OrgChartError(
            name,
            f"{len(apart)} people are not joined to the root {quote(str(root))} ({shown}); a"
            " reporting tree joins everyone to the top leader",
        )
    if simple.number_of_edges() > len(nodes) - 1:
        cycle = [u for u, _ in nx.find_cycle(simple, root)]
        loop = " - ".join(quote(ids[index[u]]) for u in [*cycle[:8], cycle[0]])
        raise OrgChartError(
            name,
            f"the graph has a loop, {loop}{' ...' if len(cycle) > 8 else ''}: in a tree one"
            " path joins two people",
        )
    return manager


def _loop(name: str, manager: np.ndarray, ids: list[str], top: int) -> OrgChartError | None:
    """The error naming a loop of reporting lines that do not lead up to ``top`` (-1: there
    is no top), or None if every line does."""
    n = len(manager)
    parent = np.where(manager == ROOT, np.arange(n), manager)
    for _ in range(math.ceil(math.log2(n)) + 1):  # (2^k >= n steps up: onto a loop or the top)
        parent = parent[parent]
    lost = np.flatnonzero(parent != top)
    if not len(lost):
        return None
    cycle = loop_through(manager, int(parent[lost[0]]))
    chain = " -> ".join(
        [*(quote(ids[i]) for i in cycle[:8]), "..." if len(cycle) > 8 else quote(ids[cycle[0]])]
    )
    where = "no top leader: " if top < 0 else ""
    return OrgChartError(
        name,
        f"{where}the manager chain loops: {chain} (each person, then their manager);"
        f" {len(lost)} people do not lead up to a top leader",
    )


def _texts(name: str, attrs: list[dict[str, Any]], ids: list[str], key: str) -> list[str]:
    """The ``key`` attribute of each node as a cell: ``""`` when missing or None, stripped."""
    out = []
    for a, pid in zip(attrs, ids, strict=True):
        value = a.get(key)
        text = "" if value is None else str(value).strip()
        if "\n" in text or "\r" in text:
            raise OrgChartError(
                name, f"{quote(pid)}: {key} = {quote(text)} has a line break; keep it on one line"
            )
        out.append(text)
    return out


def _levels(
    name: str, attrs: list[dict[str, Any]], ids: list[str], manager: np.ndarray
) -> np.ndarray | None:
    """The ``level`` attributes (None if no node has one), checked as the level column."""
    given = [a.get("level") for a in attrs]
    if all(v is None for v in given):
        return None
    allowed = f"a whole number from 0 to {MAX_LEVEL}"
    level = np.empty(len(given), dtype=np.int64)
    for i, value in enumerate(given):
        if value is None:
            raise OrgChartError(
                name, f"{quote(ids[i])} has no level; give every node a level, or none"
            )
        if isinstance(value, str):  # (GraphML reads attributes as text: as the CSV's cell)
            try:
                level[i] = parse_level(name, 0, value.strip())
            except OrgChartError:
                raise OrgChartError(
                    name, f"{quote(ids[i])}: level = {value!r}; must be {allowed}"
                ) from None
            continue
        whole = isinstance(value, numbers.Integral) or (
            isinstance(value, numbers.Real) and float(value).is_integer()
        )
        if isinstance(value, bool) or not whole or not 0 <= value <= MAX_LEVEL:
            raise OrgChartError(name, f"{quote(ids[i])}: level = {value!r}; must be {allowed}")
        level[i] = int(value)
    below = np.flatnonzero((manager != ROOT) & (level < level[np.maximum(manager, 0)]))
    if len(below):
        who, head = int(below[0]), int(manager[below[0]])
        raise OrgChartError(
            name,
            f"{quote(ids[who])} (level {level[who]}) reports to {quote(ids[head])} (level"
            f" {level[head]}), but levels count down from 0 at the top: a manager's level must"
            " not be greater than their reports'",
        )
    warn_of_empty_levels(name, level)
    return level
