"""The compiled matrix builders give exactly what scipy's operators give on the org's layers
(random organisations, repeated and self ties included); coded weights and the observation
pattern the kernel reads are the same matrices."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from builders import patterns_dense, read_blocks
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator import OrgModel, Params
from simulator.attention import observation, prestige_of
from simulator.orgchart import Org, levels_of
from simulator.sparse import (
    Coded,
    CodedValues,
    Ties,
    blocked,
    chain_weights,
    follow_weights,
    neighbour_weights,
    observation_rows,
    observers,
    pair_rows,
    unattended_rows,
)


def assert_same(got: sp.csr_matrix, want: sp.csr_matrix) -> None:
    want = sp.csr_matrix(want)
    want.eliminate_zeros()
    want.sort_indices()
    assert got.has_sorted_indices
    assert np.array_equal(got.indptr, want.indptr)
    assert np.array_equal(got.indices, want.indices)
    assert np.array_equal(got.data, want.data)


def assert_coded_as_scipy(got: Coded, want: sp.csr_matrix) -> None:
    """``got`` is ``want``, coded as :meth:`Coded.from_csr` codes it (same table order)."""
    want = sp.csr_matrix(want)
    want.eliminate_zeros()
    want.sort_indices()
    assert_same(got.csr(), want)
    reference = Coded.from_csr(want)
    assert got.indptr.dtype == reference.indptr.dtype == np.int32
    assert got.indices.dtype == np.int32
    assert len(got.indices) == len(got.codes) == got.indptr[-1]  # cut to the entries
    assert got.codes.dtype == reference.codes.dtype
    assert np.array_equal(got.codes, reference.codes)
    assert np.array_equal(got.table, reference.table)


def random_org(
    rng: np.random.Generator, n: int, flat: bool, team: bool, shuffle: bool = False
) -> Org:
    """A random tree (``flat``: most people under 0 or 1, so rows are long; ``shuffle``:
    people numbered at random, not leaders first), random lateral pairs and follows with
    repeats, both orders and self pairs."""
    top = np.minimum(np.arange(1, n), 2) if flat else np.arange(1, n)
    manager = np.r_[-1, rng.integers(0, top)] if n > 1 else np.array([-1])
    if shuffle:
        label = rng.permutation(n)
        relabelled = np.empty(n, dtype=np.int64)
        relabelled[label] = np.where(manager >= 0, label[np.maximum(manager, 0)], -1)
        manager = relabelled
    lateral = rng.integers(0, n, size=(int(rng.integers(0, 3 * n)), 2))
    follows = rng.integers(0, n, size=(int(rng.integers(0, 2 * n)), 2))
    return Org(
        manager=manager,
        level=levels_of(manager),
        unit=rng.integers(0, 3, n),
        unit_names=("a", "b", "c"),
        audience=np.ones(n),
        lateral=lateral,
        follows=follows,
        team_ties=team,
    )


orgs = st.builds(
    lambda seed, n, flat, team, shuffle: random_org(
        np.random.default_rng(seed), n, flat, team, shuffle
    ),
    seed=st.integers(0, 10_000),
    n=st.integers(1, 70),
    flat=st.booleans(),
    team=st.booleans(),
    shuffle=st.booleans(),
)
tie_weights = st.lists(st.sampled_from([0.0, 0.3, 1.0, 2.5]), min_size=4, max_size=4)
NEIGHBOUR_TYPES = ("manager", "report", "team", "lateral")


@settings(max_examples=60, deadline=None)
@given(org=orgs)
def test_tie_rows_are_the_layers(org: Org) -> None:
    ties = org.ties()
    layers = org.layers
    for name, (ptr, idx) in {
        "report": (ties.report_ptr, ties.reports),
        "lateral": (ties.lateral_ptr, ties.lateral),
        "follow": (ties.follow_ptr, ties.follows),
    }.items():
        assert_same(
            sp.csr_matrix((np.ones(len(idx)), idx, ptr), shape=(org.n, org.n)), layers[name]
        )
    pairs = np.c_[np.arange(org.n), org.manager][org.manager >= 0]
    ptr, idx = pair_rows(org.n, pairs, both_ways=False)
    assert_same(
        sp.csr_matrix((np.ones(len(idx)), idx, ptr), shape=(org.n, org.n)), layers["manager"]
    )


@settings(max_examples=60, deadline=None)
@given(org=orgs, weights=tie_weights, seed=st.integers(0, 100))
def test_neighbour_weights_are_the_maximum_of_weighted_layers(org, weights, seed) -> None:
    scale = np.random.default_rng(seed).choice([1.0, 1.5, 2.25, 3.375], org.n)
    want = sp.csr_matrix((org.n, org.n))
    for name, w in zip(NEIGHBOUR_TYPES, weights, strict=True):
        want = want.maximum(org.layers[name] * w)
    want = sp.csr_matrix(want @ sp.diags(scale))
    assert_coded_as_scipy(neighbour_weights(org.ties(), weights, scale), want)


@settings(max_examples=30, deadline=None)
@given(org=orgs, seed=st.integers(0, 100))
def test_many_distinct_values_are_coded_as_from_csr_codes_them(org, seed) -> None:
    scale = np.random.default_rng(seed).uniform(1.0, 5.0, org.n)  # up to n distinct values
    want = sp.csr_matrix((org.n, org.n))
    for name in NEIGHBOUR_TYPES:
        want = want.maximum(org.layers[name])
    want = sp.csr_matrix(want @ sp.diags(scale))
    want.eliminate_zeros()
    got = neighbour_weights(org.ties(), (1.0, 1.0, 1.0, 1.0), scale)
    assert_same(got.csr(), want)
    assert len(got.indices) == len(got.codes) == got.indptr[-1]
    reference = Coded.from_csr(want)
    assert got.codes.dtype == reference.codes.dtype
    assert np.array_equal(got.table, reference.table)
    assert np.array_equal(got.codes, reference.codes)


def test_more_than_256_values_take_two_byte_codes() -> None:
    org = random_org(np.random.default_rng(3), 400, flat=False, team=True)
    scale = np.random.default_rng(4).uniform(1.0, 5.0, org.n)
    got = neighbour_weights(org.ties(), (1.0, 0.5, 0.7, 0.3), scale)
    assert len(got.table) > 256 and got.codes.dtype == np.uint16
    assert len(got.indices) == len(got.codes) == got.indptr[-1]
    assert np.array_equal(got.table, np.unique(got.table))  # sorted, as from_csr makes it


@settings(max_examples=60, deadline=None)
@given(org=orgs, weights=tie_weights, w=st.sampled_from([0.0, 0.7, 1.0]), seed=st.integers(0, 99))
def test_follow_weights_drop_neighbours_and_scale_columns(org, weights, w, seed) -> None:
    scale = np.random.default_rng(seed).choice([1.0, 1.5, 2.25], org.n)
    ties = org.ties()
    neighbours = neighbour_weights(ties, weights, scale)
    follow = org.layers["follow"] * w
    want = (follow - follow.multiply(neighbours.csr() > 0)) @ sp.diags(scale)
    assert_coded_as_scipy(follow_weights(ties, w, neighbours, scale), want)


@settings(max_examples=60, deadline=None)
@given(
    org=orgs,
    decay=st.sampled_from([0.0, 0.5, 1.0]),
    fe=st.sampled_from([0.0, 0.4, 1.0, 2.0]),
)
def test_chain_weights_weigh_every_leader_above(org: Org, decay: float, fe: float) -> None:
    n, manager = org.n, org.manager
    # the reference: one sparse matrix per distance up the chain, then the maximum
    want = sp.csr_matrix((n, n))
    above, weight = manager.copy(), 1.0
    while (above >= 0).any() and weight > 0:
        has = np.flatnonzero(above >= 0)
        want = want + sp.csr_matrix((np.full(len(has), weight), (has, above[has])), shape=(n, n))
        above = np.where(above >= 0, manager[np.maximum(above, 0)], -1)
        weight *= decay
    want = want.maximum(org.layers["follow"] * fe)
    assert_coded_as_scipy(chain_weights(org.ties(), decay, fe), want)


def union_without_diagonal(org: Org) -> sp.csr_matrix:
    want = sp.csr_matrix((org.n, org.n))
    for layer in org.layers.values():
        want = want.maximum(layer)
    want = sp.lil_matrix(want)
    want.setdiag(0)
    want = sp.csr_matrix(want)
    want.eliminate_zeros()
    return want


@settings(max_examples=60, deadline=None)
@given(org=orgs)
def test_observers_count_the_union_without_the_diagonal(org: Org) -> None:
    pattern = union_without_diagonal(org).tocoo()
    ptr, idx = observation_rows(org.ties())
    assert ptr.dtype == idx.dtype == np.int32 and len(idx) == ptr[-1]
    assert_same(sp.csr_matrix((np.ones(len(idx)), idx, ptr), shape=(org.n, org.n)), pattern)
    assert_same(observation(org), pattern)
    cross, count = observers(org.ties(), org.unit)
    other = org.unit[pattern.row] != org.unit[pattern.col]
    assert cross.dtype == count.dtype == np.int32
    assert np.array_equal(cross, np.bincount(pattern.col[other], minlength=org.n))
    assert np.array_equal(count, np.bincount(pattern.row, minlength=org.n))


@settings(max_examples=60, deadline=None)
@given(org=orgs, weights=tie_weights)
def test_unattended_are_the_observed_in_neither_matrix(org: Org, weights: list) -> None:
    ties = org.ties()
    nb = neighbour_weights(ties, weights, np.ones(org.n))
    fo = follow_weights(ties, weights[0], nb, np.ones(org.n))
    observed = union_without_diagonal(org)
    want = observed - observed.multiply((nb.csr() != 0) + (fo.csr() != 0))
    ptr, idx = unattended_rows(ties, [nb, fo])
    assert ptr.dtype == idx.dtype == np.int32 and len(idx) == ptr[-1]
    assert_same(sp.csr_matrix((np.ones(len(idx)), idx, ptr), shape=(org.n, org.n)), want)
    with pytest.raises(ValueError, match="at most two"):
        unattended_rows(ties, [nb, fo, nb])


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(1, 50),
    widest=st.sampled_from([3, 9, 40, 300]),
    block=st.sampled_from([1, 2, 7, 1 << 16]),
)
def test_row_sums_add_as_scipy_adds(seed: int, n: int, widest: int, block: int) -> None:
    """Exactly scipy's sums (numpy's pairwise sums for rows of 8 values and more), whatever
    the block of rows taken at a time."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(0, widest + 1, n) * (rng.random(n) < 0.8)
    rows = np.repeat(np.arange(n), lengths)
    cols = rng.integers(0, 1000, len(rows))
    data = rng.choice(rng.uniform(0.1, 30.0, 20), len(rows))
    m = sp.csr_matrix((data, (rows, cols)), shape=(n, 1000))
    m.sum_duplicates()
    got = Coded.from_csr(m).row_sums(block)
    assert np.array_equal(got, np.asarray(m.sum(axis=1)).ravel())


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(1, 40),
    m=st.integers(1, 40),
    vectors=st.integers(1, 4),
    widest=st.sampled_from([3, 9, 40]),
)
def test_coded_product_adds_as_scipy_adds(
    seed: int, n: int, m: int, vectors: int, widest: int
) -> None:
    """The coded matrix times several vectors is scipy's product, bit for bit (rows summed
    in order; empty rows 0), without a float copy of the values."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(0, widest + 1, n) * (rng.random(n) < 0.8)
    rows = np.repeat(np.arange(n), lengths)
    mat = sp.csr_matrix(
        (rng.choice(rng.uniform(-3.0, 30.0, 12), len(rows)), (rows, rng.integers(0, m, len(rows)))),
        shape=(n, m),
    )
    mat.sum_duplicates()
    x = rng.normal(size=(vectors, m)) * (rng.random((vectors, m)) < 0.7)
    got = Coded.from_csr(mat).dot(x)
    assert got.shape == (vectors, n)
    assert np.array_equal(got, np.asarray(mat @ x.T).T)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(0, 300), distinct=st.integers(1, 70_000))
def test_coded_values_give_back_every_value(seed: int, n: int, distinct: int) -> None:
    """Two-byte codes into the sorted distinct values (four beyond 65,536 of them)."""
    rng = np.random.default_rng(seed)
    values = rng.choice(rng.uniform(0.0, 9.0, distinct), n) if distinct < 1000 else None
    if values is None:  # many distinct values: as many entries as values, all distinct
        values = rng.permutation(np.linspace(0.0, 9.0, distinct))
    coded = CodedValues.of(values)
    assert np.array_equal(coded.values(), values)
    assert np.array_equal(coded.table, np.unique(values))
    assert coded.codes.dtype == (np.uint16 if len(coded.table) <= 1 << 16 else np.int32)


@pytest.mark.filterwarnings("ignore:org.units = .* is more than")  # (small sizes: said)
@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    size=st.integers(2, 400),
    silent=st.booleans(),
    cap=st.sampled_from([0.0, 0.02, 0.3, 1.0]),
    follow_prob=st.sampled_from([0.0, 0.2, 0.9]),
)
def test_static_share_is_the_share_with_every_account_visible(
    seed: int, size: int, silent: bool, cap: float, follow_prob: float
) -> None:
    """One compiled pass gives :meth:`Attention.share` with the frame of all accounts
    visible, bit for bit (the leader-attention outcome reads it)."""
    params = Params().with_updates(
        {
            "org.size": size,
            "org.follow_prob": follow_prob,
            "attention.silent_leaders_count": silent,
            "attention.follow_cap": cap,
        }
    )
    att = OrgModel(params, rng=seed, agents=False).context.attention
    x = np.random.default_rng(seed).random(size) < 0.3
    frame = att.frame(np.ones((1, size), dtype=bool))
    assert np.array_equal(att.static_share(x), att.share(x[None, :], frame)[0])


def test_ties_of_an_org_without_ties() -> None:
    ties = Ties.of(np.array([-1]), np.zeros((0, 2)), np.zeros((0, 2)), team=True)
    assert neighbour_weights(ties, (1.0, 1.0, 1.0, 1.0), np.ones(1)).nnz == 0
    assert chain_weights(ties, 0.5, 1.0).nnz == 0
    assert observation_rows(ties)[1].size == 0


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 40), distinct=st.integers(1, 300))
def test_coded_matrix_keeps_every_value_exactly(seed: int, n: int, distinct: int) -> None:
    rng = np.random.default_rng(seed)
    m = sp.random(n, n, density=rng.uniform(0, 0.9), format="csr", random_state=rng)
    m.data = rng.choice(rng.uniform(0.1, 5.0, distinct), size=m.nnz)
    coded = Coded.from_csr(m)
    assert coded.codes.dtype == (np.uint8 if len(np.unique(m.data)) <= 256 else np.uint16)
    assert len(coded.table) == len(np.unique(m.data))
    assert_same(coded.csr(), m)


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


def test_context_weights_are_the_layers_combined() -> None:
    """The context's coded matrices and totals are scipy's combination of the org's layers
    (the path the model took before it compiled from the ties)."""
    params = Params().with_updates({"org.size": 500, "leaders.strategy": "delegate"})
    model = OrgModel(params, rng=4, agents=False)
    ctx, p = model.context, params.attention
    layers = ctx.org.layers
    prestige = prestige_of(ctx.org, p)
    weights = (p.manager_weight, p.report_weight, p.team_weight, p.lateral_weight)
    nb = sp.csr_matrix((500, 500))
    for name, w in zip(NEIGHBOUR_TYPES, weights, strict=True):
        nb = nb.maximum(layers[name] * w)
    nb = sp.csr_matrix(nb @ sp.diags(prestige))
    fo = layers["follow"] * p.follow_weight
    fo = sp.csr_matrix((fo - fo.multiply(nb > 0)) @ sp.diags(prestige))
    fo.eliminate_zeros()
    assert_coded_as_scipy(ctx.attention.neighbour_weights, nb)
    assert_coded_as_scipy(ctx.attention.follow_weights, fo)
    assert np.array_equal(ctx.attention.neighbour_total, np.asarray(nb.sum(axis=1)).ravel())
    assert np.array_equal(ctx.attention.follow_total, np.asarray(fo.sum(axis=1)).ravel())


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(1, 60),
    rows=st.integers(1, 256),
    matrices=st.integers(1, 3),
)
def test_blocked_layout_reads_back_as_its_matrices(
    seed: int, n: int, rows: int, matrices: int
) -> None:
    """Each matrix, read back from its blocks (row = block start + the entry's row in the
    block), is the CSR matrix it came from; each block lists its columns once, ascending."""
    rng = np.random.default_rng(seed)
    csrs = [
        sp.csr_matrix(sp.random(n, n, density=rng.uniform(0, 0.5), random_state=rng) > 0)
        for _ in range(matrices)
    ]
    patterns = [
        (m.indptr.astype(np.int64), m.indices.astype(np.int32), rng.integers(0, 9, m.nnz, np.uint8))
        for m in csrs
    ]
    assert np.array_equal(
        read_blocks(blocked(patterns, n, rows).arrays, n, rows), patterns_dense(patterns, n)
    )


def test_blocked_layout_counts_a_column_of_256_entries_in_one_byte() -> None:
    """Everyone's first tie points at person 0: each full block's column 0 has 256 entries
    (a count of 255), the short last block's fewer."""
    n = 600
    indptr = np.arange(n + 1, dtype=np.int64)
    patterns = [(indptr, np.zeros(n, np.int32), (np.arange(n) % 7).astype(np.uint8))]
    layout = blocked(patterns, n, 256)
    assert layout.counts.tolist() == [255, 255, 600 - 512 - 1]
    assert np.array_equal(read_blocks(layout.arrays, n, 256), patterns_dense(patterns, n))


@pytest.mark.parametrize("rows", [0, 257])
def test_blocked_layout_refuses_blocks_a_byte_cannot_index(rows: int) -> None:
    with pytest.raises(ValueError, match=f"rows per block: {rows} is not in 1 .. 256"):
        blocked([(np.zeros(2, np.int64), np.zeros(0, np.int32), np.zeros(0, np.uint8))], 1, rows)
