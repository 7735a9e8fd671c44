"""The compiled matrix builders give exactly what scipy's operators give (random layers);
coded weights and the observation pattern the kernel reads are the same matrices."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator import OrgModel, Params
from simulator.attention import observation
from simulator.sparse import Coded, chain_of_command, observers, union_max, without


def binary(rng: np.random.Generator, n: int, density: float) -> sp.csr_matrix:
    m = sp.random(n, n, density=density, format="csr", random_state=rng)
    m.data[:] = 1.0
    return m


def assert_same(got: sp.csr_matrix, want: sp.csr_matrix) -> None:
    want = sp.csr_matrix(want)
    want.eliminate_zeros()
    want.sort_indices()
    assert got.has_sorted_indices
    assert np.array_equal(got.indptr, want.indptr)
    assert np.array_equal(got.indices, want.indices)
    assert np.array_equal(got.data, want.data)


layer_weights = st.lists(st.sampled_from([0.0, 0.3, 1.0, 2.5]), min_size=1, max_size=5)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 40), weights=layer_weights)
def test_union_max_is_the_maximum_of_weighted_layers(seed: int, n: int, weights: list) -> None:
    rng = np.random.default_rng(seed)
    layers = [binary(rng, n, rng.uniform(0, 0.4)) for _ in weights]
    want = sp.csr_matrix((n, n))
    for layer, w in zip(layers, weights, strict=True):
        want = want.maximum(layer * w)
    assert_same(union_max(layers, weights), want)
    no_diagonal = sp.lil_matrix(want)
    no_diagonal.setdiag(0)
    assert_same(union_max(layers, weights, drop_diagonal=True), no_diagonal)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 40), w=st.sampled_from([0.0, 0.7]))
def test_without_drops_tied_entries_and_scales_columns(seed: int, n: int, w: float) -> None:
    rng = np.random.default_rng(seed)
    follow = binary(rng, n, 0.2) * w
    ties = union_max([binary(rng, n, 0.2), binary(rng, n, 0.1)], [1.0, 0.0])
    scale = rng.uniform(0.5, 3.0, n)
    want = (follow - follow.multiply(ties > 0)) @ sp.diags(scale)
    assert_same(without(follow, ties, scale), want)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(1, 60),
    decay=st.sampled_from([0.0, 0.5, 1.0]),
    fe=st.sampled_from([0.0, 0.4, 2.0]),
)
def test_chain_of_command_weights_every_leader_above(seed, n, decay, fe) -> None:
    rng = np.random.default_rng(seed)
    manager = np.array([-1] + [int(rng.integers(0, i)) for i in range(1, n)])
    followed = binary(rng, n, 0.1)
    # the reference: one sparse matrix per distance up the chain, then the maximum
    want = sp.csr_matrix((n, n))
    above, weight = manager.copy(), 1.0
    while (above >= 0).any() and weight > 0:
        has = np.flatnonzero(above >= 0)
        want = want + sp.csr_matrix((np.full(len(has), weight), (has, above[has])), shape=(n, n))
        above = np.where(above >= 0, manager[np.maximum(above, 0)], -1)
        weight *= decay
    want = want.maximum(followed * fe)
    assert_same(chain_of_command(manager, decay, followed, fe), want)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 40), distinct=st.integers(1, 300))
def test_coded_matrix_keeps_every_value_exactly(seed: int, n: int, distinct: int) -> None:
    rng = np.random.default_rng(seed)
    m = binary(rng, n, rng.uniform(0, 0.9))
    m.data = rng.choice(rng.uniform(0.1, 5.0, distinct), size=m.nnz)
    coded = Coded.from_csr(m)
    assert coded.codes.dtype == (np.uint8 if len(np.unique(m.data)) <= 256 else np.uint16)
    assert len(coded.table) == len(np.unique(m.data))
    assert_same(coded.csr(), m)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 40))
def test_observers_count_the_union_without_the_diagonal(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    layers = [binary(rng, n, rng.uniform(0, 0.4)) for _ in range(3)]
    unit = rng.integers(0, 3, n)
    cross, count = observers(layers, unit)
    pattern = union_max(layers, [1.0] * 3, drop_diagonal=True).tocoo()
    other = unit[pattern.row] != unit[pattern.col]
    assert np.array_equal(cross, np.bincount(pattern.col[other], minlength=n).astype(float))
    assert np.array_equal(count, np.bincount(pattern.row, minlength=n))


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    zero=st.lists(st.sampled_from(["manager", "report", "team", "lateral", "follow"]), max_size=3),
)
def test_kernel_observes_neighbours_follows_and_the_unattended(seed: int, zero: list) -> None:
    """What the kernel counts for awareness (neighbours, followed accounts and the accounts
    observed without attention, oneself left out) is exactly the observation matrix."""
    updates = {"org.size": 60, "leaders.strategy": "delegate"}
    updates |= {f"attention.{name}_weight": 0.0 for name in zero}
    model = OrgModel(Params().with_updates(updates), rng=seed, agents=False)
    ctx = model.context
    parts = [
        ctx.attention.neighbour_weights.csr(),
        ctx.attention.follow_weights.csr(),
        sp.csr_matrix((np.ones(len(ctx.unattended()[1])), *ctx.unattended()[::-1]), shape=(60, 60)),
    ]
    seen = sum((p != 0).astype(int) for p in parts)
    seen.setdiag(0)
    seen.eliminate_zeros()
    assert seen.max() == 1  # the three parts are disjoint
    assert_same(sp.csr_matrix(seen, dtype=float), observation(ctx.org))
    assert np.array_equal(ctx.observed, np.diff(observation(ctx.org).indptr))
