"""Known results of the classic rules, on org charts small enough to check on paper."""

from __future__ import annotations

import math

import numpy as np
import pytest
from builders import (
    balanced_tree,
    complete_graph,
    distances,
    ever_adopted,
    make_model,
    params,
    path,
    quiet_org,
    random_org,
    star,
)

from simulator.orgchart import Org
from simulator.state import POSTER

# --- independent cascade ----------------------------------------------------------------

SPAN, DEPTH = 3, 4


def tree_share_sd(p: float, d: int, span: int) -> float:
    """Standard deviation of the share of depth-``d`` nodes reached by a cascade from the root.

    Each depth-``d`` node is reached with ``p**d``; two nodes whose paths from the root share
    their first ``a`` edges are both reached with ``p**(2d - a)``.
    """
    pairs = span**d * (p**d - p ** (2 * d))  # a node with itself
    for a in range(d):  # last common ancestor at depth a
        n_pairs = span**a * span * (span - 1) * span ** (2 * (d - a - 1))
        pairs += n_pairs * (p ** (2 * d - a) - p ** (2 * d))
    return math.sqrt(pairs) / span**d


@pytest.fixture(scope="module")
def tree() -> Org:
    return quiet_org(balanced_tree(SPAN, DEPTH))


def test_balanced_tree_builder(tree: Org) -> None:
    assert list(np.bincount(tree.level)) == [SPAN**d for d in range(DEPTH + 1)]
    assert tree.lateral.size == 0
    assert tree.follows.size == 0


@pytest.mark.parametrize("p", [0.3, 0.6])
def test_cascade_from_the_root_reaches_depth_d_with_p_to_the_d(tree: Org, p: float) -> None:
    R = 2000
    p_ic = params("independent_cascade", {"mechanism.p": p})
    model = make_model(p_ic, tree, list(range(R)), adopters=[0])  # the root only
    model.run(DEPTH + 2)
    state, depth = model.state, tree.level
    adopted = state.stage == POSTER
    # an adopter at depth d adopted at step d, the step after their manager
    np.testing.assert_array_equal(
        np.where(adopted, state.adopted_at, -1), np.where(adopted, depth[None, :], -1)
    )
    # nobody adopts without their manager having adopted
    has_manager = tree.manager >= 0
    assert not (adopted[:, has_manager] & ~adopted[:, tree.manager[has_manager]]).any()
    for d in range(1, DEPTH + 1):
        share = adopted[:, depth == d].mean()
        se = tree_share_sd(p, d, SPAN) / math.sqrt(R)
        assert abs(share - p**d) < 4 * se, (d, share, p**d, se)


def test_tree_share_sd_formula() -> None:
    # depth 1 shares are binomial(span, p) / span
    assert tree_share_sd(0.3, 1, 3) == pytest.approx(math.sqrt(0.3 * 0.7 / 3))
    # with p = 1 everyone is reached: no spread
    assert tree_share_sd(1.0, 3, 3) == 0


def test_cascade_with_p_one_is_breadth_first(tree: Org) -> None:
    model = make_model(
        params("independent_cascade", {"mechanism.p": 1.0}), tree, [1, 2], adopters=[0]
    )
    model.run(DEPTH + 1)
    assert (model.state.stage == POSTER).all()
    np.testing.assert_array_equal(model.state.adopted_at, np.tile(tree.level, (2, 1)))


def test_cascade_gives_one_chance_only() -> None:
    # a leaf adopter facing one non-adopter: after its single try, nothing more happens
    org = quiet_org(path(2))
    p = params("independent_cascade", {"mechanism.p": 0.5})
    model = make_model(p, org, list(range(400)), adopters=[0])
    model.run(1)
    after_one = model.state.stage.copy()
    model.run(20)
    np.testing.assert_array_equal(model.state.stage, after_one)
    assert abs((after_one[:, 1] == POSTER).mean() - 0.5) < 4 * math.sqrt(0.25 / 400)


# --- SI -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("manager", "source"),
    [(path(10), 0), (path(10), 4), (balanced_tree(3, 3), 20), (balanced_tree(2, 4), 0)],
    ids=["path-end", "path-middle", "tree-leaf", "binary-tree-root"],
)
def test_si_with_beta_one_reaches_distance_d_at_step_d(manager: np.ndarray, source: int) -> None:
    org = quiet_org(manager)
    hops = distances(org, source)
    model = make_model(params("si", {"mechanism.beta": 1.0}), org, 3, adopters=[source])
    for t in range(1, int(hops.max()) + 2):
        model.step()
        np.testing.assert_array_equal(model.state.stage[0] == POSTER, hops <= t)
    np.testing.assert_array_equal(model.state.adopted_at[0], hops)


def test_si_with_beta_zero_and_no_adopters_stays_still() -> None:
    org = random_org(80, 1)
    model = make_model(params("si", {"mechanism.beta": 0.0}), org, 4, adopters=[0, 5])
    model.run(10)
    assert set(np.flatnonzero(model.state.stage[0] == POSTER)) == {0, 5}


def test_si_one_step_chance_is_one_minus_one_minus_beta_to_the_m() -> None:
    # the centre of a star sees m adopted reports: adopts in one step with 1 - (1 - beta)**m
    beta, m, R = 0.2, 3, 4000
    org = quiet_org(star(6))
    model = make_model(params("si", {"mechanism.beta": beta}), org, list(range(R)))
    model.state.stage[:, 1 : 1 + m] = POSTER
    model.run(1)
    want = 1 - (1 - beta) ** m
    got = (model.state.stage[:, 0] == POSTER).mean()
    assert abs(got - want) < 4 * math.sqrt(want * (1 - want) / R)


# --- threshold ------------------------------------------------------------------------------

# a manager with three reports and no team ties: the manager observes exactly the three
CENTRE_OF_THREE = star(4)


@pytest.mark.parametrize(
    ("adopters", "phi", "adopts"),
    [
        ([1], 1 / 3, True),  # share 1/3 == phi: adopts at equality
        ([1], float(np.nextafter(1 / 3, 1)), False),  # just above the share
        ([1, 2], 2 / 3, True),
        ([1, 2], float(np.nextafter(2 / 3, 1)), False),
        ([1, 2, 3], 1.0, True),
        ([], 0.0, True),  # share 0 reaches a zero threshold
    ],
)
def test_fractional_threshold_adopts_at_equality(
    adopters: list[int], phi: float, adopts: bool
) -> None:
    org = quiet_org(CENTRE_OF_THREE)
    p = params("threshold", {"mechanism.phi": phi})
    model = make_model(p, org, 0, adopters=adopters)
    assert (model.state.stage[0] == POSTER).sum() == len(adopters)
    model.step()
    assert (model.state.stage[0, 0] == POSTER) == adopts


@pytest.mark.parametrize(("adopters", "k", "adopts"), [([1, 2], 2, True), ([1], 2, False)])
def test_absolute_threshold_adopts_at_equality(adopters: list[int], k: int, adopts: bool) -> None:
    org = quiet_org(CENTRE_OF_THREE)
    p = params("threshold", {"mechanism.rule": "absolute", "mechanism.k": k})
    model = make_model(p, org, 0, adopters=adopters)
    model.step()
    assert (model.state.stage[0, 0] == POSTER) == adopts


RIOT = 100


@pytest.mark.parametrize("rule", ["absolute", "fractional"])
@pytest.mark.parametrize("broken", [False, True])
def test_granovetters_riot(rule: str, broken: bool) -> None:
    """Granovetter (1978): thresholds 0, 1, ..., 99 all riot; make the 1 a 2 and one riots."""
    org = complete_graph(RIOT)
    counts = np.arange(RIOT, dtype=float)  # person i rioting needs i others rioting
    if broken:
        counts[1] = 2
    threshold = counts if rule == "absolute" else counts / (RIOT - 1)
    p = params("threshold", {"mechanism.rule": rule})
    model = make_model(p, org, 0, threshold=threshold)
    assert not (model.state.stage == POSTER).any()
    model.run(RIOT + 5)
    rioters = np.flatnonzero(model.state.stage[0] == POSTER)
    if broken:
        assert list(rioters) == [0]
        assert model.state.adopted_at[0, 0] == 1
    else:
        assert len(rioters) == RIOT
        # one more rioter per step: person i joins at step i + 1
        np.testing.assert_array_equal(model.state.adopted_at[0], np.arange(RIOT) + 1)


def test_complete_graph_builder() -> None:
    org = complete_graph(6)
    graph = org.to_networkx()
    for i in range(6):
        assert {j for j in graph.successors(i) if j != i} == set(range(6)) - {i}


# --- linear threshold -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("adopters", "threshold", "adopts"),
    [
        ([1, 2], 0.5, True),  # two of four reports, 1/4 each: 0.5 reaches 0.5
        ([1, 2], float(np.nextafter(0.5, 1)), False),
        ([1], 0.25, True),
        ([1, 2, 3, 4], 1.0, True),
        ([1, 2, 3], 0.8, False),
    ],
)
def test_linear_threshold_uniform_weights(
    adopters: list[int], threshold: float, adopts: bool
) -> None:
    org = quiet_org(star(5))  # the manager observes four reports, 1/4 each
    thresholds = np.r_[threshold, np.ones(4)]
    model = make_model(params("linear_threshold"), org, 0, adopters=adopters, threshold=thresholds)
    model.step()
    assert (model.state.stage[0, 0] == POSTER) == adopts
    others = [i for i in range(1, 5) if i not in adopters]
    assert not (model.state.stage[0, others] == POSTER).any()  # the manager had not adopted


def test_linear_threshold_attention_weights_by_hand() -> None:
    """A report in a team of four watches their manager (weight 1, prestige 1.5) and three
    teammates (weight 0.7, prestige 1): the manager's share is 1.5 / (1.5 + 3 * 0.7)."""
    org = quiet_org(star(5), team_ties=True)
    weight = 1.5 / (1.5 + 3 * 0.7)
    for margin, adopts in ((-1e-12, True), (1e-12, False)):
        thresholds = np.r_[1.0, weight + margin, 1.0, 1.0, 1.0]
        p = params(
            "linear_threshold",
            {
                "mechanism.weights": "attention",
                "attention.manager_weight": 1.0,
                "attention.team_weight": 0.7,
                "attention.prestige_step": 1.5,
            },
        )
        model = make_model(p, org, 0, adopters=[0], threshold=thresholds)
        model.step()
        assert (model.state.stage[0, 1] == POSTER) == adopts


def test_linear_threshold_draws_uniform_thresholds() -> None:
    org = random_org(300, 2)
    model = make_model(params("linear_threshold"), org, list(range(10)))
    values = model.state.threshold.ravel()
    assert values.min() >= 0 and values.max() < 1
    assert abs(values.mean() - 0.5) < 4 * math.sqrt(1 / 12 / values.size)


# --- Bass -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "org", [random_org(150, 5), quiet_org(path(40))], ids=["random-org", "path"]
)
def test_bass_without_imitation_follows_one_minus_one_minus_p_to_the_t(org: Org) -> None:
    p, R = 0.06, 600
    model = make_model(params("bass", {"mechanism.p": p, "mechanism.q": 0.0}), org, list(range(R)))
    assert (model.state.stage != POSTER).all()
    model.run(25)
    poster = model.series().groupby("step")["poster"].mean()
    for t in (1, 3, 8, 15, 25):
        want = 1 - (1 - p) ** t
        se = math.sqrt(want * (1 - want) / (org.n * R))
        assert abs(poster[t] - want) < 4 * se, (t, poster[t], want)


def test_bass_imitation_is_shared_among_the_observed() -> None:
    # with p = 0 the centre of a star seeing m of k reports adopted: 1 - (1 - q/k)**m
    q, k, m, R = 0.6, 4, 2, 4000
    org = quiet_org(star(k + 1))
    p = params("bass", {"mechanism.p": 0.0, "mechanism.q": q})
    model = make_model(p, org, list(range(R)), adopters=list(range(1, m + 1)))
    model.run(1)
    want = 1 - (1 - q / k) ** m
    got = (model.state.stage[:, 0] == POSTER).mean()
    assert abs(got - want) < 4 * math.sqrt(want * (1 - want) / R)


# --- abandonment ----------------------------------------------------------------------------


def test_abandonment_with_delta_one_lasts_one_step_and_never_returns() -> None:
    org = random_org(120, 3)
    p = params("abandonment", {"mechanism.beta": 0.4, "mechanism.p": 0.05, "mechanism.delta": 1.0})
    model = make_model(p, org, [1, 2, 3], adopters=[0, 7, 40])
    stages = [model.state.stage.copy()]
    for _ in range(15):
        model.step()
        stages.append(model.state.stage.copy())
    history = np.stack(stages)  # (T + 1, R, n)
    poster = history == POSTER
    adopted_at = model.state.adopted_at
    # a poster at exactly one step: the step they adopted
    t = np.arange(len(history))[:, None, None]
    np.testing.assert_array_equal(poster, (adopted_at[None] == t) & (adopted_at[None] >= 0))
    ever = adopted_at >= 0
    np.testing.assert_array_equal(model.state.extra["abandoned"], ever & (adopted_at < 15))
    np.testing.assert_array_equal(model.state.lapses, (ever & (adopted_at < 15)).astype(int))
    assert ever.sum() > 3 * 3  # it did spread


def test_abandonment_without_transmission_only_loses() -> None:
    org = random_org(120, 4)
    p = params("abandonment", {"mechanism.beta": 0.0, "mechanism.p": 0.0, "mechanism.delta": 0.3})
    model = make_model(p, org, [5, 6], adopters=[0, 1, 2, 50, 60])
    initial = model.state.stage == POSTER
    model.run(12)
    adopted = model.state.stage == POSTER
    assert not (adopted & ~initial).any()
    np.testing.assert_array_equal(model.state.adopted_at >= 0, initial)
    assert model.series()["adopted_spontaneous"].sum() == 0
    assert adopted.sum() < initial.sum()  # some abandoned (0.7**12 per adopter stays)


def sir_final_size(r0: float, initial: float) -> float:
    """Final share ever infected: ``1 - z = (1 - initial) * exp(-r0 * z)`` (Kermack-McKendrick)."""
    z = 1.0
    for _ in range(500):
        z = 1 - (1 - initial) * math.exp(-r0 * z)
    return z


def test_abandonment_is_sir_final_size_on_a_complete_graph() -> None:
    n, delta, r0, R = 300, 0.25, 2.0, 40
    beta = r0 * delta / n  # each adopter transmits for 1 / delta steps on average
    org = complete_graph(n)
    p = params(
        "abandonment", {"mechanism.beta": beta, "mechanism.p": 0.0, "mechanism.delta": delta}
    )
    model = make_model(p, org, list(range(R)), adopters=list(range(10)))
    model.run(200)
    assert not (model.state.stage == POSTER).any()  # the epidemic is over
    want = sir_final_size(r0, 10 / n)
    assert abs(ever_adopted(model).mean() - want) < 0.03, (ever_adopted(model).mean(), want)
