"""Generated organisations: shape, ties and layers, checked by hand and as properties."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.attention import Attention, endorsement_matrix, observation
from simulator.orgchart import ROOT, Labels, build_org, depth_first, levels_of, units_of
from simulator.params import AttentionParams, OrgParams


def test_balanced_tree_by_hand() -> None:
    p = OrgParams(
        size=1 + 3 + 9 + 27,
        span=3,
        span_jitter=0,
        units=3,
        team_ties=False,
        lateral_within=0,
        lateral_across=0,
        follow_levels=0,
    )
    org = build_org(p, np.random.default_rng(0))
    assert list(np.bincount(org.level)) == [1, 3, 9, 27]
    # numbered depth first: each manager directly before the subtrees of their reports
    assert list(org.manager[:6]) == [-1, 0, 1, 2, 2, 2]
    assert list(org.manager[[6, 10, 14, 27]]) == [1, 1, 0, 0]
    assert list(np.flatnonzero(org.level == 1)) == [1, 14, 27]
    assert (org.n_reports[org.level < 3] == 3).all() and (org.n_reports[org.level == 3] == 0).all()
    assert list(org.unit[[0, 1, 13, 14, 26, 27, 39]]) == [0, 1, 1, 2, 2, 3, 3]
    assert org.unit_names == ("Top team", "Unit 1", "Unit 2", "Unit 3")
    assert {k: v.nnz for k, v in org.layers.items()} == {
        "manager": 39,
        "report": 39,
        "team": 0,
        "lateral": 0,
        "follow": 0,
    }
    # roles: top, executives, middle (lead leaders), frontline (lead only non-leaders)
    assert org.roles[0] == 0 and (org.roles[org.level == 1] == 1).all()
    assert (org.roles[org.level == 2] == 3).all() and (org.roles[org.level == 3] == -1).all()


def test_team_ties_are_sibling_cliques() -> None:
    p = OrgParams(
        size=9, span=3, span_jitter=0, units=2, lateral_within=0, lateral_across=0, follow_levels=0
    )
    org = build_org(p, np.random.default_rng(0))  # 0 -> {1, 5}; 1 -> {2, 3, 4}; 5 -> {6, 7, 8}
    assert list(org.manager) == [-1, 0, 1, 1, 1, 0, 5, 5, 5]
    team = org.layers["team"].toarray()
    assert team[1, 5] == team[5, 1] == 1
    assert team[2, 3] == team[3, 4] == team[2, 4] == 1
    assert team[4, 6] == 0 and team[0].sum() == 0 and np.trace(team) == 0
    assert team.sum() == 2 + 6 + 6


@settings(max_examples=40, deadline=None)
@given(
    size=st.integers(2, 3000),
    span=st.integers(1, 12),
    jitter=st.integers(0, 5),
    units=st.integers(1, 12),
    seed=st.integers(0, 2**32 - 1),
)
@pytest.mark.filterwarnings("ignore:org.units = .* is more than")  # (small sizes: said)
def test_generated_trees_are_valid(
    size: int, span: int, jitter: int, units: int, seed: int
) -> None:
    org = build_org(
        OrgParams(size=size, span=span, span_jitter=jitter, units=units),
        np.random.default_rng(seed),
    )
    assert org.n == size
    assert org.manager[0] == -1 and (org.manager[1:] >= 0).all()
    assert (org.manager[1:] < np.arange(1, size)).all()  # breadth-first numbering
    assert np.array_equal(org.level, levels_of(org.manager))
    assert (org.level[1:] == org.level[org.manager[1:]] + 1).all()
    assert org.n_reports[0] == min(units, size - 1)
    assert np.array_equal(org.unit, units_of(org.manager, org.level))
    # informal ties are simple and undirected, listed once each in order
    lat = org.lateral
    assert (lat[:, 0] < lat[:, 1]).all() and np.array_equal(lat, np.unique(lat, axis=0))
    assert (org.follows[:, 0] != org.follows[:, 1]).all()
    assert (org.level[org.follows[:, 1]] < 2).all()


@settings(max_examples=200, deadline=None)
@given(data=st.data(), size=st.integers(1, 80))
def test_depth_first_numbering_equals_scipys_traversal(data: st.DataObject, size: int) -> None:
    """Renumbering a tree in pre-order gives scipy's depth-first order (the
    reports of a manager visited in order), for any tree with its top at 0 and any labels."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import depth_first_order

    parent = [ROOT] + [data.draw(st.integers(0, i - 1)) for i in range(1, size)]
    labels = np.r_[0, data.draw(st.permutations(range(1, size)))].astype(np.int64)
    manager = np.full(size, ROOT)
    manager[labels[1:]] = labels[np.array(parent[1:], dtype=np.int64)]
    below = np.flatnonzero(manager >= 0)
    reports = csr_matrix((np.ones(len(below)), (manager[below], below)), shape=(size, size))
    order = depth_first_order(reports, 0, directed=True, return_predecessors=False)
    number = np.empty(size, dtype=np.int64)
    number[order] = np.arange(size)
    expected = np.where(manager[order] >= 0, number[np.maximum(manager[order], 0)], ROOT)
    assert np.array_equal(depth_first(manager), expected)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), size=st.integers(1, 60), tops=st.integers(1, 3))
def test_levels_and_units_of_any_forest(data: st.DataObject, size: int, tops: int) -> None:
    """Levels and units read by walking up each chain one step at a time, for forests under
    any labels (a manager's number may be above their reports')."""
    tops = min(tops, size)
    parent = [ROOT] * tops + [data.draw(st.integers(0, i - 1)) for i in range(tops, size)]
    labels = np.array(data.draw(st.permutations(range(size))), dtype=np.int64)
    manager = np.full(size, ROOT, dtype=np.int64)
    for i, m in enumerate(parent):
        manager[labels[i]] = ROOT if m == ROOT else labels[m]
    chains = []
    for i in range(size):
        chain = [i]
        while manager[chain[-1]] != ROOT:
            chain.append(int(manager[chain[-1]]))
        chains.append(chain)  # from the person up to their top
    level = levels_of(manager)
    assert level.tolist() == [len(chain) - 1 for chain in chains]
    heads = sorted(i for i in range(size) if len(chains[i]) == 2)
    want = [0 if len(chain) == 1 else 1 + heads.index(chain[-2]) for chain in chains]
    assert units_of(manager, level).tolist() == want


def test_levels_of_a_cycle_is_an_error() -> None:
    with pytest.raises(ValueError, match="cycle"):
        levels_of(np.array([ROOT, 2, 3, 1]))


def test_lateral_and_follow_densities() -> None:
    p = OrgParams(size=20_000, lateral_within=3.0, lateral_across=1.0, follow_prob=0.25)
    org = build_org(p, np.random.default_rng(1))
    same = org.unit[org.lateral[:, 0]] == org.unit[org.lateral[:, 1]]
    assert 2 * same.sum() / org.n == pytest.approx(3.0, rel=0.03)
    assert 2 * (~same).sum() / org.n == pytest.approx(1.0, rel=0.03)
    top = (org.level < 2).sum()
    assert len(org.follows) / (top * (org.n - 1)) == pytest.approx(0.25, rel=0.03)


def test_audience_grows_up_the_hierarchy() -> None:
    p = OrgParams(size=5000, audience_median=100, audience_level_factor=3.0)
    org = build_org(p, np.random.default_rng(2))
    medians = [np.median(org.audience[org.level == lv]) for lv in range(org.levels)]
    assert all(a > b for a, b in itertools.pairwise(medians))
    deepest = org.levels - 1
    assert medians[deepest] == pytest.approx(100, rel=0.1)


def test_subtree() -> None:
    org = build_org(OrgParams(size=43, span=6, span_jitter=0, units=6), np.random.default_rng(0))
    below = org.subtree(np.array([1]))
    assert below.sum() == 1 + 6 and below[1] and not below[0]
    assert org.subtree(np.array([0])).all()


def test_attention_by_hand() -> None:
    # 0 -> {1, 2}; person 1 sees manager 0 and teammate 2; 0 is followed by 1.
    p = OrgParams(
        size=3, span=2, span_jitter=0, units=2, lateral_within=0, lateral_across=0, follow_levels=0
    )
    org = build_org(p, np.random.default_rng(0))
    a = AttentionParams(manager_weight=2.0, team_weight=1.0, report_weight=0.5, prestige_step=3.0)
    w = Attention.build(org, a).matrix().toarray()
    # person 1: manager weight 2 * prestige 3 = 6; teammate 1 * prestige 1 = 1 -> 6/7, 1/7
    assert w[1] == pytest.approx([6 / 7, 0, 1 / 7])
    # person 0 sees two reports equally
    assert w[0] == pytest.approx([0, 0.5, 0.5])
    assert observation(org).toarray().sum() == 6


def test_follow_attention_is_capped() -> None:
    p = OrgParams(
        size=3,
        span=2,
        span_jitter=0,
        units=2,
        lateral_within=0,
        lateral_across=0,
        team_ties=False,
        follow_levels=0,
    )
    org = build_org(p, np.random.default_rng(0))
    # person 2 follows person 1 (not a neighbour): cap its share at 25 %
    follows = np.array([[2, 1]])
    from dataclasses import replace

    org = replace(org, follows=follows)
    w = Attention.build(org, AttentionParams(follow_cap=0.25, prestige_step=1.0)).matrix()
    assert w.toarray()[2] == pytest.approx([0.75, 0.25, 0])
    ends = endorsement_matrix(org, AttentionParams(chain_decay=0.5)).toarray()
    assert ends[2, 0] == 1.0 and ends[2, 1] == 1.0  # manager, and a followed account


def test_build_org_takes_a_seed_for_the_models_organisation_and_whole_params() -> None:
    """build_org(params.org, 1) failed with "'int' object has no attribute 'integers'", and
    build_org(params, ...) with "'Params' object has no attribute 'size'"."""
    from simulator import OrgModel, Params

    params = Params().with_updates({"org.size": 90})
    model = OrgModel(params, rng=3, agents=False)
    for org in (build_org(params.org, 3), build_org(params, 3)):
        assert np.array_equal(org.manager, model.org.manager)
        assert np.array_equal(org.lateral, model.org.lateral)
    with pytest.raises(TypeError, match=r"params\.org\); got 3"):
        build_org(3, 1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"a numpy Generator or a seed"):
        build_org(params.org, "x")  # type: ignore[arg-type]


def test_more_units_than_people_below_the_top_warns() -> None:
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        org = build_org(OrgParams(size=10, units=20), np.random.default_rng(1))
    (said,) = [str(w.message) for w in caught]
    assert said.startswith("org.units = 20 is more than the 9 people below the top leader")
    assert len(set(org.unit.tolist()) - {0}) == 9
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        build_org(OrgParams(size=10, units=9), np.random.default_rng(1))  # no word: it fits


@given(st.integers(0, 300), st.booleans())
def test_default_labels_are_the_tuple_they_stand_for(n: int, numbered: bool) -> None:
    """Ids "0", "1", ... (or blank titles), item by item and as a whole, whichever way read."""
    labels = Labels(n, numbered=numbered)
    expected = tuple(str(i) if numbered else "" for i in range(n))
    assert tuple(labels) == expected == tuple(labels[i] for i in range(n))
    assert list(labels) == list(expected) and labels == expected and len(labels) == n
