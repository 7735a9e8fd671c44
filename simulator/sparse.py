"""Compiled builders of the organisation's sparse matrices, row by row, from its ties.

The builders read the organisation's ties as compact CSR rows (:class:`Ties`: int32 columns,
a few bytes per tie) and write each result in one pass over the rows, after an upper bound on
its size (the rows' ties before repeats are merged, read from the row pointers: no sorting),
straight into its final form: a :class:`Coded` matrix (one byte per entry
indexing a small table of values) or a CSR pattern. No scipy layer, float64 value array or
intermediate matrix is made, which at a million people is several hundred MB less at the peak
than combining layers with scipy's operators (``maximum``, ``+``, ``multiply``). The entries and
values are the ones those operators give (rows in column order, as scipy's canonical form), so
the model's numbers do not change.

>>> ties = Ties.of(np.array([-1, 0, 0]), np.array([[1, 2]]), np.zeros((0, 2)), team=False)
>>> weights = neighbour_weights(ties, (1.0, 0.5, 0.7, 2.0), np.ones(3))
>>> weights.csr().toarray()
array([[0. , 0.5, 0.5],
       [1. , 0. , 2. ],
       [1. , 2. , 0. ]])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from numba import njit

TIE_TYPES: tuple[str, ...] = ("manager", "report", "team", "lateral", "follow")
"""The tie types, in the order of :attr:`simulator.orgchart.Org.layers` and of the builders'
weights."""

BOUND, FILL = 0, 1
"""The builders' two stages: an upper bound on the entries (the rows' ties counted with their
repeats, from the row pointers), then the entries, row after row."""

MOST_CODES = 256
"""Distinct values a one-byte code can index."""

_NO_PTR = np.zeros(0, dtype=np.int64)
_NO_INDEX = np.zeros(0, dtype=np.int32)
_NO_CODES = np.zeros(0, dtype=np.uint8)
_NO_VALUES = np.zeros(0)


@dataclass(frozen=True, eq=False)
class Ties:
    """An organisation's ties as CSR rows: row ``i`` lists whom person ``i`` sees through a
    tie type, columns sorted without repeats (row = the observing person, as in
    :attr:`simulator.orgchart.Org.layers`).

    The team rows are not stored: person ``i``'s teammates are the other reports of their
    manager. Made by :meth:`simulator.orgchart.Org.ties` for the builders and dropped after.
    """

    manager: np.ndarray  # (n,) int32, -1 at the top
    report_ptr: np.ndarray  # (n + 1,) int64
    reports: np.ndarray  # int32: each person's direct reports
    team: bool  # people who share a manager see each other
    lateral_ptr: np.ndarray  # (n + 1,) int64
    lateral: np.ndarray  # int32: informal ties, both ways
    follow_ptr: np.ndarray  # (n + 1,) int64
    follows: np.ndarray  # int32: followed accounts

    @classmethod
    def of(
        cls, manager: np.ndarray, lateral: np.ndarray, follows: np.ndarray, *, team: bool
    ) -> Ties:
        """Rows from the reporting tree, the lateral pairs (each tie once, either way round)
        and the follow pairs ``(follower, followed)``."""
        manager = np.ascontiguousarray(manager, dtype=np.int32)
        report_ptr, reports = report_rows(manager)
        lateral_ptr, lateral_cols = pair_rows(len(manager), lateral, both_ways=True)
        follow_ptr, follow_cols = pair_rows(len(manager), follows, both_ways=False)
        return cls(
            manager=manager,
            report_ptr=report_ptr,
            reports=reports,
            team=bool(team),
            lateral_ptr=lateral_ptr,
            lateral=lateral_cols,
            follow_ptr=follow_ptr,
            follows=follow_cols,
        )

    @property
    def n(self) -> int:
        return len(self.manager)

    def arrays(self) -> tuple[Any, ...]:
        """The fields in order, as the compiled builders take them."""
        return (
            self.manager,
            self.report_ptr,
            self.reports,
            self.team,
            self.lateral_ptr,
            self.lateral,
            self.follow_ptr,
            self.follows,
        )


def pair_rows(n: int, pairs: np.ndarray, *, both_ways: bool) -> tuple[np.ndarray, np.ndarray]:
    """CSR rows ``(indptr int64, indices int32)`` of the pairs ``(row, column)`` (and
    ``(column, row)`` with ``both_ways``), columns sorted and repeats merged."""
    pairs = np.ascontiguousarray(np.asarray(pairs).reshape(-1, 2), dtype=np.int32)
    return _pair_rows(n, pairs, both_ways)


@njit(cache=True)
def _pair_rows(n: int, pairs: np.ndarray, both_ways: bool) -> tuple[np.ndarray, np.ndarray]:
    indptr = np.zeros(n + 1, dtype=np.int64)
    for q in range(len(pairs)):
        indptr[pairs[q, 0] + 1] += 1
        if both_ways:
            indptr[pairs[q, 1] + 1] += 1
    for i in range(n):
        indptr[i + 1] += indptr[i]
    indices = np.empty(indptr[n], dtype=np.int32)
    fill = indptr[:n].copy()
    for q in range(len(pairs)):
        a, b = pairs[q, 0], pairs[q, 1]
        indices[fill[a]] = b
        fill[a] += 1
        if both_ways:
            indices[fill[b]] = a
            fill[b] += 1
    return _sorted_rows(indptr, indices)


@njit(cache=True)
def report_rows(manager: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each person's direct reports in order, as CSR rows ``(indptr int64, indices int32)``
    (``manager``: -1 at a top)."""
    n = len(manager)
    indptr = np.zeros(n + 1, dtype=np.int64)
    for i in range(n):
        if manager[i] >= 0:
            indptr[manager[i] + 1] += 1
    for i in range(n):
        indptr[i + 1] += indptr[i]
    indices = np.empty(indptr[n], dtype=np.int32)
    fill = indptr[:n].copy()
    for i in range(n):  # in order: every row comes out sorted
        m = manager[i]
        if m >= 0:
            indices[fill[m]] = i
            fill[m] += 1
    return indptr, indices


@njit(cache=True)
def _sorted_rows(indptr: np.ndarray, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sort each row and drop repeated columns (in place; trimmed if any were dropped)."""
    n = len(indptr) - 1
    at = 0
    start = indptr[0]
    for i in range(n):
        end = indptr[i + 1]
        _sort(indices[start:end])
        first = at
        for q in range(start, end):
            if at == first or indices[at - 1] != indices[q]:
                indices[at] = indices[q]
                at += 1
        indptr[i + 1] = at
        start = end
    if at < len(indices):
        return indptr, indices[:at].copy()
    return indptr, indices


@njit(cache=True)
def _sort(a: np.ndarray) -> None:
    """Sort ``a`` in place (insertion sort for the short rows of an organisation)."""
    if len(a) > 32:
        a.sort()
        return
    for p in range(1, len(a)):
        v = a[p]
        q = p - 1
        while q >= 0 and a[q] > v:
            a[q + 1] = a[q]
            q -= 1
        a[q + 1] = v


# --- gathering a row ---------------------------------------------------------------------


@njit(cache=True)
def _bounds(ties: tuple[Any, ...]) -> tuple[int, int, int, int]:
    """The longest row :func:`_gather` can return (before merging) and the sum of them all,
    without the follows and with them. (Both at once: a switch for the follows, called with
    True and False, would be compiled twice.)"""
    manager, r_ptr, _, team, l_ptr, _, f_ptr, _ = ties
    widest = total = widest_all = total_all = 0
    for i in range(len(manager)):
        k = 1 + r_ptr[i + 1] - r_ptr[i] + l_ptr[i + 1] - l_ptr[i]
        m = manager[i]
        if team and m >= 0:
            k += r_ptr[m + 1] - r_ptr[m]
        widest, total = max(widest, k), total + k
        k += f_ptr[i + 1] - f_ptr[i]
        widest_all, total_all = max(widest_all, k), total_all + k
    return widest, total, widest_all, total_all


@njit(cache=True, inline="always")  # once per row: a call would cost more
def _gather(
    i: int,
    ties: tuple[Any, ...],
    weights: np.ndarray,
    drop_diagonal: bool,
    cols: np.ndarray,
    vals: np.ndarray,
) -> int:
    """Write whom ``i`` sees into ``cols`` with the weight of the tie type in ``vals``
    (``weights`` in :data:`TIE_TYPES` order; a negative weight leaves the type out); a column
    may come several times. Returns the number written."""
    manager, r_ptr, reports, team, l_ptr, lateral, f_ptr, follows = ties
    k = 0
    m = manager[i]
    if m >= 0 and weights[0] >= 0 and not (drop_diagonal and m == i):
        cols[k], vals[k] = m, weights[0]
        k += 1
    if weights[1] >= 0:
        for q in range(r_ptr[i], r_ptr[i + 1]):
            if not (drop_diagonal and reports[q] == i):
                cols[k], vals[k] = reports[q], weights[1]
                k += 1
    if team and m >= 0 and weights[2] >= 0:
        for q in range(r_ptr[m], r_ptr[m + 1]):
            if reports[q] != i:
                cols[k], vals[k] = reports[q], weights[2]
                k += 1
    if weights[3] >= 0:
        for q in range(l_ptr[i], l_ptr[i + 1]):
            if not (drop_diagonal and lateral[q] == i):
                cols[k], vals[k] = lateral[q], weights[3]
                k += 1
    if weights[4] >= 0:
        for q in range(f_ptr[i], f_ptr[i + 1]):
            if not (drop_diagonal and follows[q] == i):
                cols[k], vals[k] = follows[q], weights[4]
                k += 1
    return k


@njit(cache=True, inline="always")  # once per row: a call would cost more
def _sort_merge_max(cols: np.ndarray, vals: np.ndarray, k: int) -> int:
    """Sort the first ``k`` (col, val) pairs by column, merge equal columns by the maximum
    and drop zero values; return the new length."""
    if k > 32:
        order = np.argsort(cols[:k])
        sorted_cols, sorted_vals = cols[order], vals[order]
        for a in range(k):  # (not a slice assignment: its compile is long)
            cols[a], vals[a] = sorted_cols[a], sorted_vals[a]
    else:  # insertion sort: rows are short
        for a in range(1, k):
            c1, v1 = cols[a], vals[a]
            b = a - 1
            while b >= 0 and cols[b] > c1:
                cols[b + 1], vals[b + 1] = cols[b], vals[b]
                b -= 1
            cols[b + 1], vals[b + 1] = c1, v1
    out = 0
    for a in range(k):
        if out > 0 and cols[out - 1] == cols[a]:
            vals[out - 1] = max(vals[out - 1], vals[a])
        else:
            cols[out], vals[out] = cols[a], vals[a]
            out += 1
    # (an int64, not 0: numba types a count that starts at the literal 0 as that literal on
    # its first pass, and compiles the function it is passed to once more for it)
    kept = np.int64(0)
    for a in range(out):
        if vals[a] != 0:
            cols[kept], vals[kept] = cols[a], vals[a]
            kept += 1
    return int(kept)


@njit(cache=True)
def _put(
    cols: np.ndarray,
    vals: np.ndarray,
    k: int,
    at: int,
    indices: np.ndarray,
    codes: np.ndarray,
    data: np.ndarray,
    table: np.ndarray,
    coding: np.ndarray,
) -> bool:
    """Write a row's ``k`` entries at ``at``, their values coded (``codes``: ``table`` grows
    in order of first appearance, ``coding`` holds its length and the last code) or, without
    ``codes``, as floats into ``data``. False when a value finds the table full."""
    for a in range(k):
        indices[at + a] = cols[a]
    if len(codes) == 0:
        for a in range(k):
            data[at + a] = vals[a]
        return True
    size, last = coding[0], coding[1]
    for a in range(k):
        v = vals[a]
        if size > 0 and table[last] == v:  # runs of equal values are common
            codes[at + a] = last
            continue
        c = 0
        while c < size and table[c] != v:
            c += 1
        if c == size:
            if size == len(table):
                return False
            table[size] = v
            size += 1
        codes[at + a] = c
        last = c
    coding[0], coding[1] = size, last
    return True


def _build(n: int, fill: Any, args: tuple[Any, ...], *, shape: tuple[int, int]) -> Coded:
    """Run a builder: the bound on its entries, then the rows in order with one-byte codes of
    their values (or, if there are more than 256 distinct values, float values coded as
    :meth:`Coded.from_csr` codes them), the arrays then cut to the entries written.

    ``fill(*args, stage, indptr, indices, codes, data, table)`` returns the bound (BOUND) or
    (FILL: row ``i`` written from ``indptr[i]``, which sets ``indptr[i + 1]``; see
    :func:`_put`) the table's length, or -1 when the table is full."""
    bound = fill(*args, BOUND, _NO_PTR, _NO_INDEX, _NO_CODES, _NO_VALUES, _NO_VALUES)
    indptr = np.zeros(n + 1, dtype=np.int64)
    indices = np.empty(bound, dtype=np.int32)
    codes = np.empty(bound, dtype=np.uint8)
    table = np.empty(MOST_CODES)
    size = fill(*args, FILL, indptr, indices, codes, _NO_VALUES, table)
    if size >= 0:
        nnz = int(indptr[-1])
        return Coded(
            _narrow(indptr), _cut(indices, nnz), _cut(codes, nnz), table[:size].copy(), shape
        )
    del codes
    data = np.empty(bound)
    fill(*args, FILL, indptr, indices, _NO_CODES, data, _NO_VALUES)
    nnz = int(indptr[-1])
    return Coded.from_arrays(indptr, _cut(indices, nnz), _cut(data, nnz), shape)


def _cut(a: np.ndarray, k: int) -> np.ndarray:
    """``a`` cut to its first ``k`` entries, in place (``a`` owns its memory and has no views:
    the allocator shrinks the block, no copy is made)."""
    if len(a) != k:
        a.resize(k, refcheck=False)
    return a


def _narrow(indptr: np.ndarray) -> np.ndarray:
    """int32 row pointers unless there are too many entries (as :meth:`Coded.from_csr`)."""
    wide = indptr[-1] >= np.iinfo(np.int32).max
    return indptr if wide else indptr.astype(np.int32)


# --- the builders ------------------------------------------------------------------------


def neighbour_weights(ties: Ties, weights: Sequence[float], scale: np.ndarray) -> Coded:
    """Weights on network neighbours: per entry the largest weight of a tie type joining the
    two (``weights``: manager, report, team, lateral), zeros left out, times ``scale`` of the
    column: ``maximum(w0 * L0, w1 * L1, ...) @ diag(scale)`` over the layers."""
    w = np.array([*weights, -1.0], dtype=np.float64)  # follows are not neighbours
    args = (ties.arrays(), w, np.ascontiguousarray(scale, dtype=np.float64))
    return _build(ties.n, _fill_neighbours, args, shape=(ties.n, ties.n))


@njit(cache=True)
def _fill_neighbours(
    ties: tuple[Any, ...],
    weights: np.ndarray,
    scale: np.ndarray,
    stage: int,
    indptr: np.ndarray,
    indices: np.ndarray,
    codes: np.ndarray,
    data: np.ndarray,
    table: np.ndarray,
) -> int:
    widest, bound, _, _ = _bounds(ties)
    if stage == BOUND:
        return bound
    cols = np.empty(widest, dtype=np.int32)
    vals = np.empty(widest)
    coding = np.zeros(2, dtype=np.int64)
    for i in range(len(ties[0])):
        k = _sort_merge_max(cols, vals, _gather(i, ties, weights, False, cols, vals))
        indptr[i + 1] = indptr[i] + k
        for a in range(k):
            vals[a] *= scale[cols[a]]
        if not _put(cols, vals, k, indptr[i], indices, codes, data, table, coding):
            return -1
    return coding[0]


def follow_weights(ties: Ties, weight: float, neighbours: Coded, scale: np.ndarray) -> Coded:
    """Weights on followed accounts that are not neighbours: ``weight`` times ``scale`` of the
    column, zeros left out (``(F - F.multiply(N > 0)) @ diag(scale)`` for ``F = weight *
    follow layer`` and ``N`` the neighbour weights)."""
    args = (
        ties.follow_ptr,
        ties.follows,
        float(1.0 * weight),  # the follow layer's ones times the weight
        neighbours.indptr,
        neighbours.indices,
        neighbours.codes,
        neighbours.table,
        np.ascontiguousarray(scale, dtype=np.float64),
    )
    return _build(ties.n, _fill_follows, args, shape=(ties.n, ties.n))


@njit(cache=True)
def _fill_follows(
    f_ptr: np.ndarray,
    f_idx: np.ndarray,
    weight: float,
    t_ptr: np.ndarray,
    t_idx: np.ndarray,
    t_code: np.ndarray,
    t_table: np.ndarray,
    scale: np.ndarray,
    stage: int,
    indptr: np.ndarray,
    indices: np.ndarray,
    codes: np.ndarray,
    data: np.ndarray,
    table: np.ndarray,
) -> int:
    if stage == BOUND:
        return f_ptr[-1]
    widest = 0
    for i in range(len(f_ptr) - 1):
        widest = max(widest, f_ptr[i + 1] - f_ptr[i])
    cols = np.empty(widest, dtype=np.int32)
    vals = np.empty(widest)
    coding = np.zeros(2, dtype=np.int64)
    for i in range(len(f_ptr) - 1):
        k = np.int64(0)  # (not 0: see _sort_merge_max)
        s = t_ptr[i]
        for q in range(f_ptr[i], f_ptr[i + 1]):  # both rows are sorted: one merge
            j = f_idx[q]
            while s < t_ptr[i + 1] and t_idx[s] < j:
                s += 1
            tied = s < t_ptr[i + 1] and t_idx[s] == j and t_table[t_code[s]] > 0
            value = weight * scale[j]
            if not tied and value != 0:
                cols[k], vals[k] = j, value
                k += 1
        indptr[i + 1] = indptr[i] + k
        if not _put(cols, vals, k, indptr[i], indices, codes, data, table, coding):
            return -1
    return coding[0]


def chain_weights(ties: Ties, decay: float, followed_weight: float) -> Coded:
    """Weights of each person's own leaders: the manager 1, each further leader up the chain
    ``decay`` times the one below (while above 0); a followed account ``followed_weight``; the
    larger weight where both apply (see :func:`simulator.attention.endorsement_matrix`)."""
    args = (ties.manager, float(decay), ties.follow_ptr, ties.follows, 1.0 * followed_weight)
    return _build(ties.n, _fill_chain, args, shape=(ties.n, ties.n))


@njit(cache=True)
def _fill_chain(
    manager: np.ndarray,
    decay: float,
    f_ptr: np.ndarray,
    f_idx: np.ndarray,
    followed: float,
    stage: int,
    indptr: np.ndarray,
    indices: np.ndarray,
    codes: np.ndarray,
    data: np.ndarray,
    table: np.ndarray,
) -> int:
    n = len(manager)
    depth = bound = 0  # longest chain: enough room for any row
    for i in range(n):
        d, above = 0, manager[i]
        while above >= 0:
            d += 1
            above = manager[above]
        depth = max(depth, d)
        bound += d
    if stage == BOUND:
        return bound + f_ptr[-1]
    widest = depth
    for i in range(n):
        widest = max(widest, depth + f_ptr[i + 1] - f_ptr[i])
    cols = np.empty(widest, dtype=np.int32)
    vals = np.empty(widest)
    coding = np.zeros(2, dtype=np.int64)
    for i in range(n):
        k = 0
        above, weight = manager[i], 1.0
        while above >= 0 and weight > 0:
            cols[k], vals[k] = above, weight
            k += 1
            above = manager[above]
            weight *= decay
        for a in range(k // 2):  # top first: in column order when leaders are numbered
            b = k - 1 - a  # before their reports, as generated orgs are (a quick sort)
            cols[a], cols[b], vals[a], vals[b] = cols[b], cols[a], vals[b], vals[a]
        for q in range(f_ptr[i], f_ptr[i + 1]):
            cols[k], vals[k] = f_idx[q], followed
            k += 1
        k = _sort_merge_max(cols, vals, k)
        indptr[i + 1] = indptr[i] + k
        if not _put(cols, vals, k, indptr[i], indices, codes, data, table, coding):
            return -1
    return coding[0]


def observation_rows(ties: Ties) -> tuple[np.ndarray, np.ndarray]:
    """CSR ``(indptr, indices)`` (int32) of who observes whom: every tie type, follows
    included, oneself left out (the pattern of the union of the layers without the
    diagonal)."""
    return unattended_rows(ties, ())


def unattended_rows(ties: Ties, others: Sequence[Coded]) -> tuple[np.ndarray, np.ndarray]:
    """CSR ``(indptr, indices)`` (int32) of the observed accounts (see
    :func:`observation_rows`) in none of ``others``' patterns (at most two)."""
    if len(others) > 2:
        raise ValueError("at most two matrices to leave out")
    empty = (np.zeros(0, dtype=np.int32), _NO_INDEX)
    (a_ptr, a_idx), (b_ptr, b_idx) = [
        *((np.asarray(m.indptr, dtype=np.int32), m.indices) for m in others),
        empty,
        empty,
    ][:2]
    rows = ties.arrays()
    indptr = np.zeros(ties.n + 1, dtype=np.int64)
    indices = np.empty(_bounds(rows)[3], dtype=np.int32)
    _fill_pattern(rows, a_ptr, a_idx, b_ptr, b_idx, indptr, indices)
    return indptr.astype(np.int32), _cut(indices, int(indptr[-1]))


@njit(cache=True)
def _fill_pattern(
    ties: tuple[Any, ...],
    a_ptr: np.ndarray,
    a_idx: np.ndarray,
    b_ptr: np.ndarray,
    b_idx: np.ndarray,
    indptr: np.ndarray,
    indices: np.ndarray,
) -> None:
    """Each row's observed accounts (sorted) in neither row of ``a`` nor of ``b`` (CSR
    patterns; an empty ``ptr`` leaves one out), row after row (``indices``: room for the
    rows before merging)."""
    ones = np.ones(len(TIE_TYPES))
    widest = _bounds(ties)[2]
    cols = np.empty(widest, dtype=np.int32)
    vals = np.empty(widest)
    for i in range(len(ties[0])):
        k = _sort_merge_max(cols, vals, _gather(i, ties, ones, True, cols, vals))
        at = indptr[i]
        for c in range(k):
            j = cols[c]
            if not (_has(a_ptr, a_idx, i, j) or _has(b_ptr, b_idx, i, j)):
                indices[at] = j
                at += 1
        indptr[i + 1] = at


@njit(cache=True)
def _has(ptr: np.ndarray, idx: np.ndarray, i: int, j: int) -> bool:
    """Whether row ``i`` of the CSR pattern ``(ptr, idx)`` holds ``j`` (False if empty)."""
    if len(ptr) == 0:
        return False
    for s in range(ptr[i], ptr[i + 1]):  # noqa: SIM110 (a loop compiles; a generator not)
        if idx[s] == j:
            return True
    return False


def observers(ties: Ties, unit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Over who observes whom (see :func:`observation_rows`): the number of observers of each
    person in another unit, and how many accounts each observes (both int32)."""
    return _observers(ties.arrays(), np.ascontiguousarray(unit, dtype=np.int32))


@njit(cache=True)
def _observers(ties: tuple[Any, ...], unit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(ties[0])
    ones = np.ones(len(TIE_TYPES))
    cols = np.empty(_bounds(ties)[2], dtype=np.int32)
    vals = np.empty(len(cols))
    cross = np.zeros(n, dtype=np.int32)
    count = np.zeros(n, dtype=np.int32)
    seen = np.full(n, -1, dtype=np.int32)  # seen[j] == i: j already counted in row i
    for i in range(n):
        for a in range(_gather(i, ties, ones, True, cols, vals)):
            j = cols[a]
            if seen[j] == i:
                continue
            seen[j] = i
            count[i] += 1
            if unit[i] != unit[j]:
                cross[j] += 1
    return cross, count


# --- coded matrices ----------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Coded:
    """A sparse matrix with few distinct values, stored as its CSR pattern and value codes.

    The organisation's weight matrices hold a handful of distinct values (tie weight times
    a level's prestige, chain-of-command decay), so one byte per entry indexes a small table
    instead of eight bytes of value: the kernel reads ``table[codes[q]]``, the same number.
    """

    indptr: np.ndarray  # int32, n + 1
    indices: np.ndarray  # int32
    codes: np.ndarray  # uint8 (uint16 or int32 for many distinct values)
    table: np.ndarray  # float64: the distinct values
    shape: tuple[int, int]

    @classmethod
    def from_csr(cls, matrix: sp.csr_matrix) -> Coded:
        """Code ``matrix``'s values (the scipy matrix can be dropped afterwards)."""
        return cls.from_arrays(matrix.indptr, matrix.indices, matrix.data, matrix.shape)

    @classmethod
    def from_arrays(
        cls, indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, shape: tuple[int, ...]
    ) -> Coded:
        """Code the values ``data`` of the CSR matrix ``(data, indices, indptr)``: in order of
        first appearance for up to 256 distinct values, else sorted."""
        data = np.asarray(data, dtype=np.float64)
        table, codes, found = _code_values(data, MOST_CODES)
        if not found:  # more than 256 distinct values
            table, inverse = np.unique(data, return_inverse=True)
            codes = inverse.astype(np.uint16 if len(table) <= 1 << 16 else np.int32)
        wide = len(data) >= np.iinfo(np.int32).max
        return cls(
            indptr=np.asarray(indptr, dtype=np.int64 if wide else np.int32),
            indices=np.asarray(indices, dtype=np.int32),
            codes=codes,
            table=table,
            shape=(int(shape[0]), int(shape[1])),
        )

    @property
    def nnz(self) -> int:
        return len(self.indices)

    @property
    def nbytes(self) -> int:
        return sum(int(a.nbytes) for a in (self.indptr, self.indices, self.codes, self.table))

    def csr(self) -> sp.csr_matrix:
        """The matrix as scipy CSR (a new copy of the values)."""
        return sp.csr_matrix((self.table[self.codes], self.indices, self.indptr), shape=self.shape)

    def dot(self, x: np.ndarray) -> np.ndarray:
        """``self @ x[v]`` for each row ``v`` of ``x`` (shape ``(k, n)``): shape ``(k, rows)``,
        each entry summed in row order from 0, as scipy's ``csr_matvecs`` sums it."""
        x = np.ascontiguousarray(np.atleast_2d(x), dtype=np.float64)
        out = np.zeros((len(x), self.shape[0]))
        _dot(self.indptr, self.indices, self.codes, self.table, x, out)
        return out

    def row_sums(self, block: int = 1 << 16) -> np.ndarray:
        """The sum of each row, exactly as scipy's ``csr.sum(axis=1)`` adds it (numpy's
        ``add.reduceat`` over the values of the non-empty rows), ``block`` rows at a time
        instead of over a float copy of every value."""
        n = self.shape[0]
        sums = np.zeros(n)
        indptr = np.asarray(self.indptr, dtype=np.int64)
        for lo in range(0, n, block):
            hi = min(n, lo + block)
            start, stop = indptr[lo], indptr[hi]
            if start == stop:
                continue
            rows = np.flatnonzero(indptr[lo + 1 : hi + 1] > indptr[lo:hi])
            values = self.table[self.codes[start:stop]]
            sums[lo + rows] = np.add.reduceat(values, indptr[lo + rows] - start)
        return sums


@dataclass(frozen=True, eq=False)
class CodedValues:
    """A vector with few distinct values (such as the row sums of a coded matrix): a
    two-byte code per entry into a sorted table of them, instead of eight bytes of value
    (four-byte codes beyond 65,536 distinct values). ``table[codes]`` is the vector."""

    codes: np.ndarray  # uint16 (int32 for many distinct values)
    table: np.ndarray  # float64: the distinct values, sorted

    @classmethod
    def of(cls, values: np.ndarray) -> CodedValues:
        values = np.asarray(values, dtype=np.float64)
        table = np.unique(values)
        codes = np.searchsorted(table, values)  # (np.unique's inverse; a quarter faster)
        return cls(codes=codes.astype(cls.code_type(len(table))), table=table)

    @staticmethod
    def code_type(distinct: int) -> type[np.unsignedinteger | np.signedinteger]:
        """The codes' integer type for ``distinct`` values (one type for most tables, so
        the compiled code that reads them is compiled once)."""
        return np.uint16 if distinct <= 1 << 16 else np.int32

    def values(self) -> np.ndarray:
        """The vector (a new float64 array)."""
        return self.table[self.codes]


@njit(cache=True)
def _code_values(data: np.ndarray, most: int) -> tuple[np.ndarray, np.ndarray, bool]:
    """Table of the distinct values of ``data`` in order of appearance, and each entry's
    index into it; ``found`` is False when there are more than ``most`` distinct values."""
    table = np.empty(most)
    codes = np.empty(len(data), dtype=np.uint8)
    k = 0
    last = 0
    for q in range(len(data)):
        v = data[q]
        if k > 0 and table[last] == v:  # runs of equal values are common
            codes[q] = last
            continue
        c = 0
        while c < k and table[c] != v:
            c += 1
        if c == k:
            if k == most:
                return table[:0].copy(), codes[:0].copy(), False
            table[k] = v
            k += 1
        codes[q] = c
        last = c
    return table[:k].copy(), codes, True


@njit(cache=True)
def _dot(
    indptr: np.ndarray,
    indices: np.ndarray,
    codes: np.ndarray,
    table: np.ndarray,
    x: np.ndarray,
    out: np.ndarray,
) -> None:
    for v in range(x.shape[0]):
        xv, ov = x[v], out[v]
        for i in range(len(indptr) - 1):
            acc = 0.0
            for q in range(indptr[i], indptr[i + 1]):
                acc += table[codes[q]] * xv[indices[q]]
            ov[i] = acc


# --- row blocks by column --------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Blocked:
    """Matrices over the same rows, cut into blocks of ``rows`` consecutive rows, each block
    stored by column: the columns with an entry in the block's rows (ascending) and, for each,
    its entries (the row within the block, one byte, and the value code). A block of one
    matrix is a doubly compressed sparse column (DCSC; Buluc & Gilbert 2008) of its rows.

    Going down a block's columns in order and adding each entry to its row's sum adds every
    row's entries in CSR order (columns ascending), so the sums are the CSR row sums, bit for
    bit; a column whose value is zero can be skipped as a whole, since adding zero leaves a
    sum as it is.

    Buluc, A. & Gilbert, J. R. (2008). On the representation and multiplication of
    hypersparse matrices. *IEEE International Symposium on Parallel and Distributed
    Processing*, 1-11.
    """

    # int64 (2 * matrices, blocks + 1): row m, where matrix m's block b's columns start;
    # row matrices + m, where its entries start
    ptr: np.ndarray
    columns: np.ndarray  # int32: each block's columns, ascending
    counts: np.ndarray  # uint8: each column's entries in its block, minus 1 (1 .. 256)
    rows: np.ndarray  # uint8: the row of each entry within its block
    codes: np.ndarray  # the matrices' value codes

    @property
    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``ptr, columns, counts, rows, codes``, as the kernel takes them."""
        return self.ptr, self.columns, self.counts, self.rows, self.codes


def blocked(
    patterns: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]], n: int, rows: int
) -> Blocked:
    """The CSR matrices ``(indptr, indices, codes)`` over ``n`` rows in one :class:`Blocked`
    layout of blocks of ``rows`` rows (at most 256: a row within a block is one byte)."""
    if not 0 < rows <= 256:
        raise ValueError(f"rows per block: {rows} is not in 1 .. 256")
    blocks, matrices = -(-n // rows), len(patterns)
    ptr = np.zeros((2 * matrices, blocks + 1), dtype=np.int64)
    counted = [_block_columns(indptr, idx, n, rows) for indptr, idx, _ in patterns]
    offset = 0
    for m, ((indptr, idx, _), count) in enumerate(zip(patterns, counted, strict=True)):
        ptr[m, 0] = ptr[m - 1, -1] if m else 0
        np.cumsum(count, out=ptr[m, 1:])
        ptr[m, 1:] += ptr[m, 0]
        ptr[matrices + m] = offset + indptr[np.minimum(np.arange(blocks + 1) * rows, n)]
        offset += len(idx)
    columns = np.empty(int(ptr[matrices - 1, -1]), dtype=np.int32)
    counts = np.empty(len(columns), dtype=np.uint8)
    block_rows = np.empty(offset, dtype=np.uint8)
    codes = np.empty(offset, dtype=np.result_type(*(c.dtype for _, _, c in patterns)))
    for m, (indptr, idx, code) in enumerate(patterns):
        _fill_blocks(
            indptr, idx, code, rows, ptr[m], ptr[matrices + m, 0], columns, counts, block_rows,
            codes,
        )  # fmt: skip
    return Blocked(ptr, columns, counts, block_rows, codes)


@njit(cache=True)
def _block_columns(indptr: np.ndarray, idx: np.ndarray, n: int, rows: int) -> np.ndarray:
    """How many distinct columns each block of ``rows`` rows has entries in."""
    blocks = -(-n // rows)
    count = np.zeros(blocks, dtype=np.int64)
    mark = np.full(n, -1, dtype=np.int32)  # per column: the last block that counted it
    for b in range(blocks):
        for q in range(indptr[b * rows], indptr[min(n, (b + 1) * rows)]):
            if mark[idx[q]] != b:
                mark[idx[q]] = b
                count[b] += 1
    return count


@njit(cache=True)
def _fill_blocks(
    indptr: np.ndarray,
    idx: np.ndarray,
    code: np.ndarray,
    rows: int,
    ptr: np.ndarray,
    offset: int,
    columns: np.ndarray,
    counts: np.ndarray,
    block_rows: np.ndarray,
    codes: np.ndarray,
) -> None:
    """Each block's columns in order and their entries, rows ascending within a column (a
    counting sort per block): a block's entries take the positions its rows have in the CSR
    arrays (plus ``offset``)."""
    n = len(indptr) - 1
    mark = np.full(n, -1, dtype=np.int32)  # per column: the last block that listed it
    slot = np.empty(n, dtype=np.int32)  # per column: its place among its block's columns
    most = 0
    for b in range(len(ptr) - 1):
        most = max(most, ptr[b + 1] - ptr[b])
    at = np.empty(most, dtype=np.int64)  # where the next entry of each column goes
    for b in range(len(ptr) - 1):
        lo, hi = b * rows, min(n, (b + 1) * rows)
        first = ptr[b]
        listed = first
        for q in range(indptr[lo], indptr[hi]):
            if mark[idx[q]] != b:
                mark[idx[q]] = b
                columns[listed] = idx[q]
                listed += 1
        columns[first:listed].sort()
        for k in range(listed - first):
            slot[columns[first + k]] = k
            at[k] = 0
        for q in range(indptr[lo], indptr[hi]):
            at[slot[idx[q]]] += 1
        start = offset + indptr[lo]
        for k in range(listed - first):
            counts[first + k] = at[k] - 1
            start, at[k] = start + at[k], start
        for i in range(lo, hi):
            for q in range(indptr[i], indptr[i + 1]):
                k = slot[idx[q]]
                block_rows[at[k]] = i - lo
                codes[at[k]] = code[q]
                at[k] += 1
