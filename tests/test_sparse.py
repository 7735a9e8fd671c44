"""The compiled matrix builders give exactly what scipy's operators give (random layers)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.sparse import chain_of_command, union_max, without


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
