"""Compiled builders of the organisation's sparse matrices, row by row.

Combining layers with scipy's operators (``maximum``, ``+``, ``multiply``) creates a full
intermediate matrix per operation: at a million people that is several hundred MB at the peak
and milliseconds of overhead per operation at a thousand. These builders make each result in
one pass over the rows, with the same entries and values (rows in column order, as scipy's
canonical form), so the model's numbers do not change.

>>> import scipy.sparse as sp
>>> a = sp.csr_matrix(np.array([[0, 1, 0], [1, 0, 1], [0, 0, 0.]]))
>>> b = sp.csr_matrix(np.array([[1, 1, 0], [0, 0, 0], [0, 1, 0.]]))
>>> union_max([a, b], [2.0, 3.0]).toarray()
array([[3., 3., 0.],
       [2., 0., 2.],
       [0., 3., 0.]])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numba import njit


def union_max(
    layers: Sequence[sp.csr_matrix],
    weights: Sequence[float],
    *,
    drop_diagonal: bool = False,
    scale: np.ndarray | None = None,
) -> sp.csr_matrix:
    """Entry-wise maximum of ``weight * layer`` over the layers, zeros (and optionally the
    diagonal) left out: ``maximum(w0 * L0, w1 * L1, ...)`` without intermediate matrices;
    with ``scale``, each kept entry is then multiplied by ``scale`` of its column (``@
    diag(scale)``)."""
    n = layers[0].shape[0]
    ptrs = tuple(np.asarray(m.indptr, dtype=np.int64) for m in layers)
    idxs = tuple(np.asarray(m.indices, dtype=np.int32) for m in layers)
    vals = tuple(np.asarray(m.data, dtype=np.float64) for m in layers)
    by_column = np.ones(0) if scale is None else np.asarray(scale, dtype=np.float64)
    indptr, indices, data = _union_max(
        n, ptrs, idxs, vals, np.asarray(weights, dtype=np.float64), drop_diagonal, by_column
    )
    return sp.csr_matrix((data, indices, indptr), shape=(n, n))


def without(follow: sp.csr_matrix, ties: sp.csr_matrix, scale: np.ndarray) -> sp.csr_matrix:
    """Entries of ``follow`` where ``ties`` has none, times ``scale`` of their column; zeros
    left out (``(follow - follow.multiply(ties > 0)) @ diag(scale)``)."""
    n = follow.shape[0]
    indptr, indices, data = _without(
        np.asarray(follow.indptr, dtype=np.int64),
        np.asarray(follow.indices, dtype=np.int32),
        np.asarray(follow.data, dtype=np.float64),
        np.asarray(ties.indptr, dtype=np.int64),
        np.asarray(ties.indices, dtype=np.int32),
        np.asarray(ties.data, dtype=np.float64),
        np.asarray(scale, dtype=np.float64),
    )
    return sp.csr_matrix((data, indices, indptr), shape=(n, n))


def chain_of_command(
    manager: np.ndarray, decay: float, followed: sp.csr_matrix, followed_weight: float
) -> sp.csr_matrix:
    """Weights of each person's own leaders: the manager 1, each further leader up the chain
    ``decay`` times the one below (while above 0); a followed account ``followed_weight``; the
    larger weight where both apply (see :func:`simulator.attention.endorsement_matrix`)."""
    n = len(manager)
    indptr, indices, data = _chain(
        np.asarray(manager, dtype=np.int64),
        float(decay),
        np.asarray(followed.indptr, dtype=np.int64),
        np.asarray(followed.indices, dtype=np.int32),
        np.asarray(followed.data, dtype=np.float64) * followed_weight,
    )
    return sp.csr_matrix((data, indices, indptr), shape=(n, n))


@njit(cache=True)
def _sort_merge_max(cols: np.ndarray, vals: np.ndarray, k: int) -> int:
    """Sort the first ``k`` (col, val) pairs by column (insertion sort: rows are short),
    merge equal columns by the maximum and drop zero values; return the new length."""
    for a in range(1, k):
        c, v = cols[a], vals[a]
        b = a - 1
        while b >= 0 and cols[b] > c:
            cols[b + 1], vals[b + 1] = cols[b], vals[b]
            b -= 1
        cols[b + 1], vals[b + 1] = c, v
    out = 0
    for a in range(k):
        if out > 0 and cols[out - 1] == cols[a]:
            vals[out - 1] = max(vals[out - 1], vals[a])
        else:
            cols[out], vals[out] = cols[a], vals[a]
            out += 1
    kept = 0
    for a in range(out):
        if vals[a] != 0:
            cols[kept], vals[kept] = cols[a], vals[a]
            kept += 1
    return kept


@njit(cache=True)
def _emit(
    cols: np.ndarray, vals: np.ndarray, k: int, indices: np.ndarray, data: np.ndarray, at: int
) -> int:
    """Append a row's ``k`` gathered entries (sorted, merged) at ``at``; return the new end."""
    kept = _sort_merge_max(cols, vals, k)
    indices[at : at + kept] = cols[:kept]
    data[at : at + kept] = vals[:kept]
    return at + kept


@njit(cache=True)
def _union_max(
    n: int,
    ptrs: tuple[np.ndarray, ...],
    idxs: tuple[np.ndarray, ...],
    vals: tuple[np.ndarray, ...],
    weights: np.ndarray,
    drop_diagonal: bool,
    scale: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    total = 0
    widest = 0
    for i in range(n):
        row = 0
        for k in range(len(ptrs)):
            row += ptrs[k][i + 1] - ptrs[k][i]
        total += row
        widest = max(widest, row)
    indptr = np.zeros(n + 1, dtype=np.int64)
    indices = np.empty(total, dtype=np.int32)
    data = np.empty(total)
    cols = np.empty(widest, dtype=np.int32)
    row_vals = np.empty(widest)
    at = 0
    for i in range(n):
        k_row = 0
        for k in range(len(ptrs)):
            for q in range(ptrs[k][i], ptrs[k][i + 1]):
                j = idxs[k][q]
                if drop_diagonal and j == i:
                    continue
                cols[k_row] = j
                row_vals[k_row] = weights[k] * vals[k][q]
                k_row += 1
        start = at
        at = _emit(cols, row_vals, k_row, indices, data, at)
        if len(scale):
            for q in range(start, at):
                data[q] *= scale[indices[q]]
        indptr[i + 1] = at
    return indptr, indices[:at], data[:at]


@njit(cache=True)
def _without(
    f_ptr: np.ndarray,
    f_idx: np.ndarray,
    f_val: np.ndarray,
    t_ptr: np.ndarray,
    t_idx: np.ndarray,
    t_val: np.ndarray,
    scale: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = len(f_ptr) - 1
    indptr = np.zeros(n + 1, dtype=np.int64)
    indices = np.empty(len(f_idx), dtype=np.int32)
    data = np.empty(len(f_idx))
    at = 0
    for i in range(n):
        for q in range(f_ptr[i], f_ptr[i + 1]):
            j = f_idx[q]
            tied = False
            for s in range(t_ptr[i], t_ptr[i + 1]):
                if t_idx[s] == j and t_val[s] > 0:
                    tied = True
                    break
            value = f_val[q] * scale[j]
            if not tied and value != 0:
                indices[at], data[at] = j, value
                at += 1
        indptr[i + 1] = at
    return indptr, indices[:at], data[:at]


@njit(cache=True)
def _chain(
    manager: np.ndarray,
    decay: float,
    f_ptr: np.ndarray,
    f_idx: np.ndarray,
    f_val: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = len(manager)
    depth = 0  # longest chain: enough room for any row
    for i in range(n):
        d, above = 0, manager[i]
        while above >= 0:
            d += 1
            above = manager[above]
        depth = max(depth, d)
    widest = depth
    total = 0
    for i in range(n):
        widest = max(widest, depth + f_ptr[i + 1] - f_ptr[i])
        total += f_ptr[i + 1] - f_ptr[i]
    cols = np.empty(widest, dtype=np.int32)
    vals = np.empty(widest)
    indptr = np.zeros(n + 1, dtype=np.int64)
    indices = np.empty(total + n * depth, dtype=np.int32)
    data = np.empty(total + n * depth)
    at = 0
    for i in range(n):
        k = 0
        above, weight = manager[i], 1.0
        while above >= 0 and weight > 0:
            cols[k], vals[k] = above, weight
            k += 1
            above = manager[above]
            weight *= decay
        for q in range(f_ptr[i], f_ptr[i + 1]):
            cols[k], vals[k] = f_idx[q], f_val[q]
            k += 1
        at = _emit(cols, vals, k, indices, data, at)
        indptr[i + 1] = at
    return indptr, indices[:at], data[:at]


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
        data = np.asarray(matrix.data, dtype=np.float64)
        table, codes, found = _code_values(data, 256)
        if not found:  # more than 256 distinct values
            table, inverse = np.unique(data, return_inverse=True)
            codes = inverse.astype(np.uint16 if len(table) <= 1 << 16 else np.int32)
        wide = len(data) >= np.iinfo(np.int32).max
        return cls(
            indptr=np.asarray(matrix.indptr, dtype=np.int64 if wide else np.int32),
            indices=np.asarray(matrix.indices, dtype=np.int32),
            codes=codes,
            table=table,
            shape=(int(matrix.shape[0]), int(matrix.shape[1])),
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


def observers(layers: Sequence[sp.csr_matrix], unit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Over the union of the layers without the diagonal (who observes whom): the number of
    observers of each person in another unit (float), and how many accounts each observes."""
    n = layers[0].shape[0]
    return _observers(
        n,
        tuple(np.asarray(m.indptr, dtype=np.int64) for m in layers),
        tuple(np.asarray(m.indices, dtype=np.int32) for m in layers),
        np.asarray(unit, dtype=np.int64),
    )


@njit(cache=True)
def _observers(
    n: int, ptrs: tuple[np.ndarray, ...], idxs: tuple[np.ndarray, ...], unit: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    cross = np.zeros(n)
    count = np.zeros(n, dtype=np.int64)
    seen = np.full(n, -1, dtype=np.int64)  # seen[j] == i: j already counted in row i
    for i in range(n):
        for k in range(len(ptrs)):
            for q in range(ptrs[k][i], ptrs[k][i + 1]):
                j = idxs[k][q]
                if j == i or seen[j] == i:
                    continue
                seen[j] = i
                count[i] += 1
                if unit[i] != unit[j]:
                    cross[j] += 1.0
    return cross, count


def pattern_minus(matrix: sp.csr_matrix, others: Sequence[Coded]) -> tuple[np.ndarray, np.ndarray]:
    """CSR ``(indptr, indices)`` of the entries of ``matrix`` in none of ``others``."""
    indptr, indices = _pattern_minus(
        np.asarray(matrix.indptr, dtype=np.int64),
        np.asarray(matrix.indices, dtype=np.int32),
        tuple(np.asarray(m.indptr, dtype=np.int64) for m in others),
        tuple(m.indices for m in others),
    )
    return indptr, indices


@njit(cache=True)
def _pattern_minus(
    ptr: np.ndarray, idx: np.ndarray, ptrs: tuple[np.ndarray, ...], idxs: tuple[np.ndarray, ...]
) -> tuple[np.ndarray, np.ndarray]:
    n = len(ptr) - 1
    indptr = np.zeros(n + 1, dtype=np.int32)
    indices = np.empty(len(idx), dtype=np.int32)
    at = 0
    for i in range(n):
        for q in range(ptr[i], ptr[i + 1]):
            j = idx[q]
            found = False
            for k in range(len(ptrs)):
                for s in range(ptrs[k][i], ptrs[k][i + 1]):
                    if idxs[k][s] == j:
                        found = True
                        break
                if found:
                    break
            if not found:
                indices[at] = j
                at += 1
        indptr[i + 1] = at
    return indptr, indices[:at].copy()
