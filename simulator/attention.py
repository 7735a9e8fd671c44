"""Attention: whom each person watches, and with what weight.

Each person attends to their network neighbours, weighted by tie type (a tie counts with the
weight of its strongest type) and by the neighbour's prestige, and to the top leaders they
follow, weighted by follow weight and prestige. Followed accounts that are not also neighbours
may take at most a share ``follow_cap`` of a person's attention. Weights are normalised to a
total of one per person.

With ``silent_leaders_count`` off, followed accounts that are not active take no attention at
all (a silent account shows nothing), so the normalisation depends on who is active; the
computation is therefore split into a fixed neighbour part and a follow part combined per step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp
from numba import njit

from simulator.orgchart import GRADIENT_LEVELS, Org
from simulator.params import AttentionParams
from simulator.sparse import (
    Coded,
    CodedValues,
    Ties,
    chain_weights,
    follow_weights,
    neighbour_weights,
    observation_rows,
)


def spread(matrix: sp.csr_matrix, x: np.ndarray) -> np.ndarray:
    """``matrix @ x`` for each replication row of ``x`` (shape ``(R, n)``)."""
    return np.asarray((matrix @ np.asarray(x, dtype=float).T).T)


def product(matrix: Coded, x: np.ndarray) -> np.ndarray:
    """``matrix @ x[k, r]`` for every ``(k, r)`` of ``x`` (shape ``(k, R, n)``), read from the
    coded matrix (no float copy of its values), each sum in row order as scipy adds it."""
    k, r, n = x.shape
    return matrix.dot(x.reshape(k * r, n)).reshape(k, r, matrix.shape[0])


def prestige_of(org: Org, p: AttentionParams) -> np.ndarray:
    """Prestige: ``prestige_step ** (deepest level - level)``, 1 at the deepest level.

    The exponent is capped at :data:`~simulator.orgchart.GRADIENT_LEVELS` (deep chains).
    """
    up = np.minimum(org.level.max() - org.level, GRADIENT_LEVELS)
    return np.asarray(p.prestige_step**up, dtype=float)


@dataclass(frozen=True)
class Frame:
    """One step's view of the follow layer (arrays of shape ``(R, n)``)."""

    scale: np.ndarray  # factor on follow weights (the cap)
    total: np.ndarray  # normaliser: neighbour weight + scaled visible follow weight
    visible: np.ndarray  # bool: followed accounts that take attention


def attention_weights(
    org: Org, p: AttentionParams, ties: Ties, neighbours: Coded | None = None
) -> tuple[Coded, Coded]:
    """The unnormalised weights on network neighbours (tie weight times prestige) and on
    followed accounts that are not neighbours, compiled from ``org``'s ``ties``
    (``neighbours``: the neighbour weights, already compiled from the same ties but
    perhaps other follows, which they do not depend on)."""
    prestige = prestige_of(org, p)  # >= 1: scaling keeps every tie
    if neighbours is None:
        weights = (p.manager_weight, p.report_weight, p.team_weight, p.lateral_weight)
        neighbours = neighbour_weights(ties, weights, prestige)  # tie weight * prestige
    return neighbours, follow_weights(ties, p.follow_weight, neighbours, prestige)


@dataclass(frozen=True)
class Attention:
    """Attention weights split into a neighbour part and a capped follow part.

    The weights themselves (:attr:`weights`) can be freed once compiled into a mechanism's
    own layout (:meth:`forget_weights`): they are made again from the organisation on
    demand. Their row sums are kept."""

    org: Org
    params: AttentionParams
    neighbour_sums: CodedValues  # (n,) row sums of ``neighbours`` (few distinct values)
    follow_sums: CodedValues  # (n,) row sums of ``follows``
    cap: float
    silent_count: bool

    @classmethod
    def build(
        cls,
        org: Org,
        p: AttentionParams,
        ties: Ties | None = None,
        like: Attention | None = None,
    ) -> Attention:
        """Compile the weights from ``org``'s ties (``ties``: already made from ``org``).

        ``like``: the attention of an organisation with the same ties but other follows
        (followed delegates), with the same parameters: the neighbour weights do not depend
        on the follows, so its neighbour part (and the row sums) is this one's too, taken
        instead of compiled again (the weights themselves only where ``like`` still holds
        them)."""
        kept = None if like is None else like.__dict__.get("weights")
        neighbours, follows = attention_weights(
            org, p, org.ties() if ties is None else ties, None if kept is None else kept[0]
        )
        attention = cls(
            org=org,
            params=p,
            neighbour_sums=(
                CodedValues.of(neighbours.row_sums()) if like is None else like.neighbour_sums
            ),
            follow_sums=CodedValues.of(follows.row_sums()),
            cap=p.follow_cap,
            silent_count=p.silent_leaders_count,
        )
        attention.__dict__["weights"] = neighbours, follows  # made already: kept
        return attention

    @cached_property
    def weights(self) -> tuple[Coded, Coded]:
        """The neighbour and follow weights (made again on demand after
        :meth:`forget_weights`)."""
        return attention_weights(self.org, self.params, self.org.ties())

    def forget_weights(self) -> None:
        """Free :attr:`weights` (a mechanism that keeps its own copy calls this)."""
        self.__dict__.pop("weights", None)

    @property
    def neighbour_weights(self) -> Coded:
        """Unnormalised weights on network neighbours."""
        return self.weights[0]

    @property
    def follow_weights(self) -> Coded:
        """Unnormalised weights on followed non-neighbours."""
        return self.weights[1]

    @property
    def neighbour_total(self) -> np.ndarray:
        """Row sums of the neighbour weights, shape ``(n,)``."""
        return self.neighbour_sums.values()

    @property
    def follow_total(self) -> np.ndarray:
        """Row sums of the follow weights, shape ``(n,)``."""
        return self.follow_sums.values()

    @property
    def neighbours(self) -> sp.csr_matrix:
        """Unnormalised weights on network neighbours (a scipy copy, for inspection)."""
        return self.neighbour_weights.csr()

    @property
    def follows(self) -> sp.csr_matrix:
        """Unnormalised weights on followed non-neighbours (a scipy copy, for inspection)."""
        return self.follow_weights.csr()

    def frame(self, active: np.ndarray) -> Frame:
        """This step's follow scale, normaliser and visible followed accounts.

        ``active`` (bool, ``(R, n)``) marks active accounts; it matters only when silent
        leaders do not count.
        """
        a = self.neighbour_total[None, :]
        if self.silent_count:
            visible = np.ones_like(active, dtype=bool)
            f = np.broadcast_to(self.follow_total[None, :], active.shape)
        else:
            visible = np.asarray(active, dtype=bool)
            f = spread(self.follows, visible)
        share_ok = f * (1 - self.cap) <= self.cap * a
        safe_f = np.where(f > 0, f, 1.0)
        with np.errstate(divide="ignore"):  # a cap of 1 never binds: its quotient is unused
            capped = self.cap * a / ((1 - self.cap) * safe_f)
        scale = np.where(share_ok | (a == 0), 1.0, capped)
        return Frame(scale=scale, total=a + scale * f, visible=visible)

    def share(self, x: np.ndarray, frame: Frame) -> np.ndarray:
        """Attention-weighted mean of ``x`` (shape ``(R, n)``) over whom each person watches.

        People who watch nobody get 0.
        """
        return self.shares([x], frame)[0]

    def shares(self, xs: Sequence[np.ndarray], frame: Frame) -> np.ndarray:
        """:meth:`share` of several quantities at once (one pass over the matrices).

        Returns shape ``(len(xs), R, n)``.
        """
        x = np.stack([np.asarray(v, dtype=float) for v in xs])
        weighted = product(self.neighbour_weights, x)
        if self.follow_weights.nnz:
            weighted += frame.scale * product(self.follow_weights, x * frame.visible)
        total = frame.total
        return np.where(total > 0, weighted / np.where(total > 0, total, 1.0), 0.0)

    def static_share(self, x: np.ndarray) -> np.ndarray:
        """:meth:`share` of ``x`` (shape ``(n,)``) with every account visible (silent ones
        counted), the same numbers, worked out a person at a time in one compiled pass:
        no ``(R, n)`` frame or products to hold (at a million people, some 30 MB less)."""
        nb, fo = self.neighbour_weights, self.follow_weights
        out = np.empty(nb.shape[0])
        _static_share(
            *(nb.indptr, nb.indices, nb.codes, nb.table),
            *(fo.indptr, fo.indices, fo.codes, fo.table),
            *(self.neighbour_sums.codes, self.neighbour_sums.table),
            *(self.follow_sums.codes, self.follow_sums.table),
            self.silent_count,
            self.cap,
            np.ascontiguousarray(x, dtype=np.float64),
            out,
        )
        return out

    def matrix(self) -> sp.csr_matrix:
        """The static row-normalised attention matrix (silent accounts counted)."""
        frame = self.frame(np.ones((1, self.neighbour_weights.shape[0]), dtype=bool))
        scale, total = frame.scale[0], frame.total[0]
        inv = np.where(total > 0, 1 / np.where(total > 0, total, 1), 0)
        w = sp.diags(inv) @ (self.neighbours + sp.diags(scale) @ self.follows)
        return sp.csr_matrix(w)


@njit(cache=True, inline="always")
def follow_scale(f: float, a: float, cap: float) -> float:
    """The factor on one person's follow weights (visible total ``f``, neighbour total ``a``):
    1, or what brings the followed accounts' share of attention down to ``cap`` (the compiled
    form of :meth:`Attention.frame`'s ``scale``; the follow cap of MODEL.md)."""
    capped = not (f * (1 - cap) <= cap * a or a == 0)
    return cap * a / ((1 - cap) * (f if capped else 1.0)) if capped else 1.0


@njit(cache=True)
def _static_share(
    nb_ptr: np.ndarray,
    nb_idx: np.ndarray,
    nb_code: np.ndarray,
    nb_tab: np.ndarray,
    fo_ptr: np.ndarray,
    fo_idx: np.ndarray,
    fo_code: np.ndarray,
    fo_tab: np.ndarray,
    nb_sum: np.ndarray,
    nb_sum_tab: np.ndarray,
    fo_sum: np.ndarray,
    fo_sum_tab: np.ndarray,
    silent_count: bool,
    cap: float,
    x: np.ndarray,
    out: np.ndarray,
) -> None:
    """Each step of :meth:`Attention.frame` and :meth:`Attention.shares` for all accounts
    visible, in their order: sums in row order from 0 (as scipy's and ``Coded.dot``'s)."""
    has_follows = len(fo_idx) > 0
    for i in range(len(out)):
        a = nb_sum_tab[nb_sum[i]]
        if silent_count:
            f = fo_sum_tab[fo_sum[i]]
        else:  # the visible follow weight, as scipy's product with a vector of ones
            f = 0.0
            for q in range(fo_ptr[i], fo_ptr[i + 1]):
                f += fo_tab[fo_code[q]] * 1.0
        scale = follow_scale(f, a, cap)
        total = a + scale * f
        weighted = 0.0
        for q in range(nb_ptr[i], nb_ptr[i + 1]):
            weighted += nb_tab[nb_code[q]] * x[nb_idx[q]]
        if has_follows:
            followed = 0.0
            for q in range(fo_ptr[i], fo_ptr[i + 1]):
                followed += fo_tab[fo_code[q]] * x[fo_idx[q]]
            weighted += scale * followed
        out[i] = weighted / total if total > 0 else 0.0


def observation(org: Org) -> sp.csr_matrix:
    """Binary matrix of who observes whom: the union of all tie types, follows included."""
    indptr, indices = observation_rows(org.ties())
    return sp.csr_matrix((np.ones(len(indices)), indices, indptr), shape=(org.n, org.n))


def endorsement_matrix(org: Org, p: AttentionParams) -> sp.csr_matrix:
    """Weights of each person's own leaders: chain of command and followed top leaders.

    The direct manager weighs 1, each further leader up the chain ``chain_decay`` times the one
    below; a followed top leader weighs ``followed_endorsement`` (the larger weight counts
    where a followed leader is also in the chain).
    """
    return endorsement_weights(org, p).csr()


def endorsement_weights(org: Org, p: AttentionParams, ties: Ties | None = None) -> Coded:
    """:func:`endorsement_matrix` coded, as the kernel reads it (``ties``: made from
    ``org``)."""
    ties = org.ties() if ties is None else ties
    return chain_weights(ties, p.chain_decay, p.followed_endorsement)
