"""Organisations: the org chart (a reporting tree) with team, informal and follow ties.

An :class:`Org` holds the structure as arrays over people ``0 .. n-1``. Generated orgs come
from :func:`build_org`; real ones from :func:`simulator.orgimport.load_org_csv`. Either way
:meth:`Org.ties` gives the multiplex network as compact CSR rows, from which
:mod:`simulator.sparse` compiles the run's weight matrices; :attr:`Org.layers` gives it as
scipy matrices, made on demand. Every random choice is drawn from a passed
``numpy.random.Generator``.

Examples
--------
>>> import numpy as np
>>> from simulator.params import OrgParams
>>> org = build_org(OrgParams(size=43, span=6, span_jitter=0, units=6), np.random.default_rng(1))
>>> org.n, int(org.level.max()), np.bincount(org.level).tolist()
(43, 2, [1, 6, 36])
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp
from numba import njit

from simulator.params import OrgParams, Params
from simulator.sparse import Ties, report_rows

if TYPE_CHECKING:  # networkx is imported for the graph export only
    import networkx as nx

ROOT = -1
"""Manager index of the top of the organisation."""

GRADIENT_LEVELS = 64
"""Prestige and audience grow per level up for at most this many levels (no overflow)."""

INDEX = np.int32
"""dtype of the organisation's person indices, levels and units (and of its tie pairs)."""


class Labels(tuple[str, ...]):
    """Default person ids (``"0"``, ``"1"``, ...) or blank titles, made on demand.

    Behaves as the tuple of strings it stands for (it compares equal to it), without holding
    a million Python strings for a generated organisation.
    """

    _n: int
    _numbered: bool

    def __new__(cls, n: int, *, numbered: bool) -> Labels:
        self = super().__new__(cls)
        self._n, self._numbered = n, numbered
        return self

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(self._n)))
        i = range(self._n)[index]
        return str(i) if self._numbered else ""

    def __iter__(self) -> Iterator[str]:  # (not through __getitem__: 3x quicker)
        return map(str, range(self._n)) if self._numbered else itertools.repeat("", self._n)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, tuple) and len(other) == self._n and tuple(self) == other

    def __hash__(self) -> int:
        return hash(tuple(self))  # as the tuple it equals

    def __repr__(self) -> str:
        return f"Labels({self._n}, numbered={self._numbered})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_labels, (self._n, self._numbered))


def _labels(n: int, numbered: bool) -> Labels:
    return Labels(n, numbered=numbered)


@dataclass(frozen=True, eq=False)
class Org:
    """An organisation: a reporting tree over people 0..n-1 and extra ties.

    Parameters
    ----------
    manager : int array, shape (n,)
        Index of each person's manager, ``-1`` for the top leader.
    level : int array, shape (n,)
        Hierarchy level, 0 at the top.
    unit : int array, shape (n,)
        Index into ``unit_names``.
    unit_names : tuple of str
    audience : float array, shape (n,)
        External audience (followers) of each person's account.
    lateral : int array, shape (m, 2)
        Informal undirected ties, each pair once with ``i < j``.
    follows : int array, shape (f, 2)
        Follow ties ``(follower, followed)``.
    team_ties : bool
        Whether people with the same manager are tied.
    ids, titles : tuple of str
        Person ids (as in an imported table) and job titles.
    """

    manager: np.ndarray
    level: np.ndarray
    unit: np.ndarray
    unit_names: tuple[str, ...]
    audience: np.ndarray
    lateral: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), dtype=INDEX))
    follows: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), dtype=INDEX))
    team_ties: bool = True
    ids: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        n = len(self.manager)
        for name in ("manager", "level", "unit", "lateral", "follows"):  # int32: half the memory
            value = getattr(self, name)
            if not (isinstance(value, np.ndarray) and value.dtype == INDEX):
                object.__setattr__(self, name, np.asarray(value, dtype=INDEX))
        if not self.ids:
            object.__setattr__(self, "ids", Labels(n, numbered=True))
        if not self.titles:
            object.__setattr__(self, "titles", Labels(n, numbered=False))

    @property
    def n(self) -> int:
        """Number of people."""
        return len(self.manager)

    @property
    def levels(self) -> int:
        """Number of levels (the deepest level + 1)."""
        return int(self.level.max()) + 1

    @property
    def n_reports(self) -> np.ndarray:
        """Number of direct reports of each person (int32; counted on each call)."""
        has = self.manager >= 0
        return np.bincount(self.manager[has], minlength=self.n).astype(INDEX)

    @cached_property
    def is_leader(self) -> np.ndarray:
        """People with at least one report (read-only)."""
        leader = np.zeros(self.n, dtype=bool)
        leader[self.manager[self.manager >= 0]] = True
        leader.flags.writeable = False
        return leader

    @cached_property
    def roles(self) -> np.ndarray:
        """Role codes indexing :data:`simulator.selectors.ROLES` (leaders only; -1 otherwise).

        ``top`` for the top leader, ``executive`` for their direct reports, else ``frontline``
        when no report leads, else ``middle``. Roles follow the reporting tree, not the
        (possibly imported) levels.
        """
        leads_leader = np.zeros(self.n, dtype=bool)
        has = (self.manager >= 0) & self.is_leader
        leads_leader[self.manager[has]] = True
        role = np.where(leads_leader, 2, 3)
        top = self.manager == ROOT
        role = np.where(np.isin(self.manager, np.flatnonzero(top)), 1, role)
        role = np.where(top, 0, role)
        return np.where(self.is_leader, role, -1)

    def subtree(self, people: np.ndarray) -> np.ndarray:
        """Boolean mask of ``people`` and everyone below them."""
        inside = np.zeros(self.n, dtype=bool)
        inside[people] = True
        frontier = inside.copy()
        while frontier.any():
            children = np.zeros(self.n, dtype=bool)
            has = self.manager >= 0
            children[has] = frontier[self.manager[has]]
            frontier = children & ~inside
            inside |= frontier
        return inside

    def with_follows(self, extra: np.ndarray) -> Org:
        """The same organisation with ``extra`` follow ties added (other layers reused)."""
        follows = np.concatenate([self.follows, extra])
        org = replace(self, follows=follows)
        if "layers" in self.__dict__:  # only the follow layer changes
            follow = _csr(follows[:, 0], follows[:, 1], self.n)
            org.__dict__["layers"] = {**self.layers, "follow": follow}
        return org

    def ties(self) -> Ties:
        """The ties as compact CSR rows, the input of the compiled builders of
        :mod:`simulator.sparse` (the same network as :attr:`layers`, in int32 columns and
        without values; made on each call, not kept)."""
        return Ties.of(self.manager, self.lateral, self.follows, team=self.team_ties)

    def forget_layers(self) -> None:
        """Free the cached :attr:`layers` (rebuilt on next use); a model keeps compiled copies."""
        self.__dict__.pop("layers", None)

    @cached_property
    def layers(self) -> dict[str, sp.csr_matrix]:
        """The multiplex network as binary CSR matrices, row = the observing person."""
        n = self.n
        people = np.flatnonzero(self.manager >= 0)
        manager = _csr(people, self.manager[people], n)
        team = sp.csr_matrix((n, n))
        if self.team_ties and len(people):
            member = _csr(people, self.manager[people], n)  # member of the team of m
            team = (member @ member.T).tocsr()
            team.setdiag(0)
            team.eliminate_zeros()
            team.data[:] = 1.0
        lat = self.lateral
        lateral = _csr(np.r_[lat[:, 0], lat[:, 1]], np.r_[lat[:, 1], lat[:, 0]], n)
        follow = _csr(self.follows[:, 0], self.follows[:, 1], n)
        return {
            "manager": manager,
            "report": manager.T.tocsr(),
            "team": team,
            "lateral": lateral,
            "follow": follow,
        }

    def to_networkx(self) -> nx.MultiDiGraph:
        """The org as a networkx multigraph with one edge per tie (``type`` attribute).

        Nodes carry ``id``, ``level``, ``unit`` and ``title``; an edge ``i -> j`` of type
        ``t`` means that ``i`` sees ``j`` through a tie of type ``t``.
        """
        import networkx as nx

        graph = nx.MultiDiGraph()
        for i in range(self.n):
            graph.add_node(
                i,
                id=self.ids[i],
                level=int(self.level[i]),
                unit=self.unit_names[self.unit[i]],
                title=self.titles[i],
            )
        for name, matrix in self.layers.items():
            coo = matrix.tocoo()
            graph.add_edges_from(
                (int(i), int(j), {"type": name}) for i, j in zip(coo.row, coo.col, strict=True)
            )
        return graph


def _csr(rows: np.ndarray, cols: np.ndarray, n: int) -> sp.csr_matrix:
    data = np.ones(len(rows))
    matrix = sp.csr_matrix((data, (rows, cols)), shape=(n, n))
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix


def build_org(p: OrgParams | Params, rng: np.random.Generator | int) -> Org:
    """Generate a hierarchical organisation.

    The top leader heads ``p.units`` units; below them every manager, in breadth-first
    order, gets a span drawn uniformly from ``span ± span_jitter`` until ``p.size`` people
    are placed. Informal ties, the follow layer and audiences are then drawn.

    Parameters
    ----------
    p : OrgParams or Params
        The organisation's parameters (``params.org``; given a whole ``Params``, its
        ``org``).
    rng : numpy.random.Generator or int
        The run's org stream, the only source of randomness; or a seed, for the
        organisation that ``OrgModel(params, rng=seed)`` builds.
    """
    if not isinstance(p, OrgParams):
        if not isinstance(getattr(p, "org", None), OrgParams):
            raise TypeError(
                f"build_org takes the organisation's parameters (params.org); got {p!r}"
            )
        p = p.org
    if not isinstance(rng, np.random.Generator):
        from simulator.seeds import RunStreams

        try:
            rng = RunStreams(rng).generator("org")
        except ValueError:
            raise TypeError(
                f"rng must be a numpy Generator or a seed (a whole number >= 0), got {rng!r}"
            ) from None
    if p.units > p.size - 1:
        below = p.size - 1
        warnings.warn(
            f"org.units = {p.units} is more than the {below}"
            f" {'person' if below == 1 else 'people'} below the top leader (org.size ="
            f" {p.size}): the organisation has {below} unit{'' if below == 1 else 's'} of one"
            " person",
            UserWarning,
            stacklevel=2,
        )
    manager = tree_by_spans(p.size, p.units, p.span, p.span_jitter, rng)
    return complete_org(manager, p, rng)


def tree_by_spans(
    n: int, units: int, span: int, jitter: int, rng: np.random.Generator
) -> np.ndarray:
    """Managers of a tree built level by level, people numbered in depth-first order.

    The top leader has ``units`` reports; every other manager a span drawn uniformly from
    ``span ± jitter`` (at least 1). When the last level cannot be filled, spans there are
    scaled down in proportion (remainders to managers chosen at random), so that units stay
    balanced. Numbering depth first (each manager directly before their reports' subtrees)
    keeps a team, its manager and its unit close together in memory, which makes the steps
    of a large organisation several times cheaper than a level-by-level numbering.
    """
    manager = [np.array([ROOT])]
    parents = np.array([0])
    placed = 1
    while placed < n:
        if placed == 1:
            spans = np.array([units])
        else:
            spans = rng.integers(max(span - jitter, 1), span + jitter + 1, size=len(parents))
        room = n - placed
        if spans.sum() > room:
            scaled = spans * room / spans.sum()
            spans = np.floor(scaled).astype(np.int64)
            extra = rng.permutation(len(parents))[: room - spans.sum()]
            spans[extra] += 1
        children = np.repeat(parents, spans)
        manager.append(children)
        parents = np.arange(placed, placed + len(children))
        placed += len(children)
    return depth_first(np.concatenate(manager).astype(np.int64))


def depth_first(manager: np.ndarray) -> np.ndarray:
    """The same tree renumbered in depth-first pre-order from the top (reports in order):
    the managers of the renumbered people."""
    number = _preorder(np.ascontiguousarray(manager, dtype=INDEX))  # (report_rows' type)
    order = np.empty(len(manager), dtype=np.int64)
    order[number] = np.arange(len(manager))
    return np.where(manager[order] >= 0, number[np.maximum(manager[order], 0)], ROOT)


@njit(cache=True)
def _preorder(manager: np.ndarray) -> np.ndarray:
    """Each person's place in the depth-first pre-order from the top (tops in order, each
    manager's reports in order), by a walk with a stack."""
    n = len(manager)
    ptr, reports = report_rows(manager)
    stack = np.empty(n, dtype=np.int64)
    top = 0
    for i in range(n - 1, -1, -1):  # the first top is visited first
        if manager[i] < 0:
            stack[top] = i
            top += 1
    number = np.empty(n, dtype=np.int64)
    placed = 0
    while top > 0:
        top -= 1
        person = stack[top]
        number[person] = placed
        placed += 1
        for q in range(ptr[person + 1] - 1, ptr[person] - 1, -1):  # the first report on top
            stack[top] = reports[q]
            top += 1
    return number


def levels_of(manager: np.ndarray) -> np.ndarray:
    """Depth of each person below the top (0 at a top)."""
    return _levels(np.ascontiguousarray(manager, dtype=np.int64))


def units_of(manager: np.ndarray, level: np.ndarray) -> np.ndarray:
    """Unit of each person: 0 for the top, else 1 + the rank of their level-1 ancestor."""
    manager = np.ascontiguousarray(manager, dtype=np.int64)
    return _units(manager, np.ascontiguousarray(level, dtype=np.int64))


@njit(cache=True, inline="always")  # once per person
def _climb(manager: np.ndarray, known: np.ndarray, i: int, chain: np.ndarray) -> tuple[int, int]:
    """Up the reporting line from ``i`` to the first person whose ``known`` value is set
    (not negative): the people passed on the way are written into ``chain``; returns how
    many and that person. A line that never reaches one is a cycle: an error."""
    k, above = 0, i
    while known[above] < 0:
        if k == len(chain):
            raise ValueError("the reporting lines form a cycle")
        chain[k] = above
        k += 1
        above = manager[above]
    return k, above


@njit(cache=True)
def _levels(manager: np.ndarray) -> np.ndarray:
    """Each person's depth: 0 at a top; else up the line to the first known depth, then
    that line filled in on the way down (each person is climbed past once)."""
    n = len(manager)
    level = np.empty(n, dtype=np.int64)
    for i in range(n):  # (a loop: np.where would compile as long as this whole function)
        level[i] = 0 if manager[i] < 0 else -1
    chain = np.empty(n, dtype=np.int64)
    for i in range(n):
        k, above = _climb(manager, level, i, chain)
        depth = level[above]
        for a in range(k - 1, -1, -1):
            depth += 1
            level[chain[a]] = depth
    return level


@njit(cache=True)
def _units(manager: np.ndarray, level: np.ndarray) -> np.ndarray:
    """Each person's head (themselves at levels 0 and 1, else their level-1 ancestor: up
    the line to the first head known, then that line filled in), then the head's rank among
    the level-1 people by number (1, 2, ...; 0 for a top)."""
    n = len(manager)
    head = np.empty(n, dtype=np.int64)
    for i in range(n):
        head[i] = i if level[i] <= 1 else -1
    chain = np.empty(n, dtype=np.int64)
    for i in range(n):
        k, above = _climb(manager, head, i, chain)
        for a in range(k):
            head[chain[a]] = head[above]
    rank = np.zeros(n, dtype=np.int64)
    ranked = 0
    for i in range(n):
        if level[i] == 1:
            ranked += 1
            rank[i] = ranked
    return rank[head]


def complete_org(
    manager: np.ndarray,
    p: OrgParams,
    rng: np.random.Generator,
    *,
    level: np.ndarray | None = None,
    unit: np.ndarray | None = None,
    unit_names: tuple[str, ...] = (),
    ids: tuple[str, ...] = (),
    titles: tuple[str, ...] = (),
    lateral: np.ndarray | None = None,
) -> Org:
    """Add levels, units, informal ties (unless given), follows and audiences to a tree.

    ``level`` may be given (grades of an imported chart: 0 at the top, larger further down);
    units always follow the tree's depth.
    """
    manager = np.asarray(manager, dtype=np.int64)
    if level is None or unit is None:
        depth = levels_of(manager)
        level = depth if level is None else level
        if unit is None:
            unit = units_of(manager, depth)
            n_units = int(unit.max()) + 1
            unit_names = ("Top team", *tuple(f"Unit {u}" for u in range(1, n_units)))
    if lateral is None:
        lateral = draw_lateral(unit, p.lateral_within, p.lateral_across, rng)
    is_leader = np.bincount(manager[manager >= 0], minlength=len(manager)) > 0
    follows = draw_follows((level < p.follow_levels) & is_leader, p.follow_prob, rng)
    audience = draw_audience(level, p, rng)
    return Org(
        manager=manager,
        level=level,
        unit=unit,
        unit_names=unit_names,
        audience=audience,
        lateral=lateral,
        follows=follows,
        team_ties=p.team_ties,
        ids=ids,
        titles=titles,
    )


def draw_lateral(
    unit: np.ndarray, within: float, across: float, rng: np.random.Generator
) -> np.ndarray:
    """Informal ties: about ``n*within/2`` pairs inside units and ``n*across/2`` across.

    Endpoints are uniform; self-pairs and repeats are dropped, so the means are slightly
    below the targets in small units.
    """
    n = len(unit)
    order = np.argsort(unit, kind="stable")
    sizes = np.bincount(unit)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    m_in = round(n * within / 2)
    i = rng.integers(0, n, size=m_in)
    u = unit[i]
    j = order[starts[u] + (rng.random(m_in) * sizes[u]).astype(np.int64)]
    pairs = [np.column_stack((i, j))]
    others = n - sizes[unit]
    m_out = round(n * across / 2) if (others > 0).any() else 0
    i = rng.integers(0, n, size=m_out)
    i = i[others[i] > 0]
    u = unit[i]
    r = (rng.random(len(i)) * others[i]).astype(np.int64)  # skip the own unit's block
    r = np.where(r >= starts[u], r + sizes[u], r)
    pairs.append(np.column_stack((i, order[r])))
    edges = np.concatenate(pairs)
    edges = edges[edges[:, 0] != edges[:, 1]]
    pair = np.minimum(edges[:, 0], edges[:, 1]) * np.int64(n) + np.maximum(edges[:, 0], edges[:, 1])
    pair.sort()  # as rows sort: i, then j; then repeats dropped (np.unique, a third the time)
    pair = pair[np.concatenate(([True], pair[1:] != pair[:-1]))] if len(pair) else pair
    return np.column_stack((pair // n, pair % n)).astype(np.int64)


def draw_follows(followed: np.ndarray, prob: float, rng: np.random.Generator) -> np.ndarray:
    """Each person follows each ``followed`` account (a mask) with probability ``prob``.

    Per account, the number of followers is binomial and the followers are drawn without
    replacement, so memory grows with the ties drawn, not with accounts x people.
    """
    n = len(followed)
    accounts = np.flatnonzero(followed) if prob > 0 else np.zeros(0, dtype=np.int64)
    followers = [np.zeros(0, dtype=np.int64)]
    for account in accounts.tolist():
        others = rng.choice(n - 1, size=rng.binomial(n - 1, prob), replace=False)
        others.sort()
        followers.append(others + (others >= account))  # skip the account itself
    sizes = [len(f) for f in followers[1:]]
    return np.column_stack((np.concatenate(followers), np.repeat(accounts, sizes))).astype(np.int64)


def draw_audience(level: np.ndarray, p: OrgParams, rng: np.random.Generator) -> np.ndarray:
    """Log-normal external audiences; each level up multiplies the median.

    Levels are counted up from the deepest one, at most :data:`GRADIENT_LEVELS` of them.
    """
    up = np.minimum(level.max() - level, GRADIENT_LEVELS)
    median = p.audience_median * p.audience_level_factor**up
    return np.asarray(median * np.exp(p.audience_sigma * rng.standard_normal(len(level))))
