"""The fast engine: counter-based draws, batches of replications, and batched sweeps.

- The draws are Philox4x32-10: the Random123 known-answer vectors hold, and the number of a
  (person, week, slot) is the same whether computed alone, in a full array or inside a kernel.
- A batch of replications equals the replications run one by one, bit for bit, for every
  mechanism and for many settings of the fused ``social_learning`` kernel (hypothesis).
- A large organisation's week split over threads (each phase on parts of the rows) equals
  the serial kernel, bit for bit, for any split.
- A sweep that batches replications sharing an organisation (``orgs``) gives exactly the runs
  made alone, and the replications sharing an organisation do share it.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import fields
from typing import Any

import numpy as np
import pytest
from builders import ACROSS_AT, ROWS_AT, patterns_dense, printed_in_a_fresh_process, read_blocks
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from simulator import OrgModel, Params, tally
from simulator.attention import Attention
from simulator.engine import Engine
from simulator.mechanisms import REGISTRY, sl_kernel, social_learning
from simulator.rng import SLOTS, Draws, RunStreams, philox4x32, uniform_at
from simulator.scenario import Plan, parse_scenario
from simulator.state import POSTER, State
from simulator.sweep import run, run_batch, run_task

# Random123's kat_vectors, "philox4x32 10": counter (4 words), key (2 words) -> output (4 words)
KAT = [
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2, (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    (
        (0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344),
        (0xA4093822, 0x299F31D0),
        (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1),
    ),
]


@pytest.mark.parametrize(("counter", "key", "want"), KAT)
def test_philox_matches_random123_known_answers(counter, key, want) -> None:
    got = philox4x32(*(np.uint64(w) for w in (*counter, *key)))
    assert tuple(int(w) for w in got) == want


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    i=st.integers(0, 5000),
    t=st.integers(0, 10_000),
    slot=st.sampled_from(SLOTS),
)
def test_a_number_depends_only_on_person_week_and_slot(seed: int, i: int, t: int, slot: str):
    draws = Draws([RunStreams(seed).seed("dynamics")])
    full = draws.step(SLOTS, i + 1, t)[slot]
    assert full.shape == (1, i + 1)
    alone = uniform_at(draws.philox_keys[0], SLOTS.index(slot), t, i)
    assert full[0, i] == alone
    wider = draws.uniform(slot, i + 7, t=t)
    assert np.array_equal(wider[:, : i + 1], full)  # no dependence on the population size


def test_draws_are_uniform_and_slots_weeks_and_seeds_independent() -> None:
    a = Draws([RunStreams(1).seed("dynamics")])
    b = Draws([RunStreams(2).seed("dynamics")])
    n = 50_000
    samples = {
        "a exposure t1": a.uniform("exposure", n, t=1)[0],
        "a decision t1": a.uniform("decision", n, t=1)[0],
        "a exposure t2": a.uniform("exposure", n, t=2)[0],
        "b exposure t1": b.uniform("exposure", n, t=1)[0],
    }
    for name, u in samples.items():
        assert u.min() >= 0 and u.max() < 1, name
        assert stats.kstest(u, "uniform").pvalue > 1e-4, name
    values = list(samples.values())
    for k, u in enumerate(values):
        for v in values[k + 1 :]:
            assert abs(np.corrcoef(u, v)[0, 1]) < 5 / np.sqrt(n)


# -- batches equal single runs ---------------------------------------------------------------


def assert_same_run(batch: Engine, r: int, single: Engine) -> None:
    """Replication ``r`` of ``batch`` and the single run agree in every field, bit for bit."""
    for f in fields(State):
        if f.name == "extra":
            continue
        got, want = getattr(batch.state, f.name), getattr(single.state, f.name)
        if f.name == "exposure":
            got, want = got[:, r], want[:, 0]
        else:
            got, want = got[r], want[0]
        assert np.array_equal(got, want), f.name
    series = batch.series()
    mine = series[series["replication"] == r].drop(columns="replication").reset_index(drop=True)
    other = single.series().drop(columns="replication")
    assert mine.equals(other)
    out = batch.outcomes().iloc[r].drop("replication")
    alone = single.outcomes().iloc[0].drop("replication")
    assert out.equals(alone)


SL_SETTINGS = st.fixed_dictionaries(
    {
        "leaders.strategy": st.sampled_from(["model", "delegate", "listen", "restrict", "none"]),
        "culture.openness": st.floats(0.0, 1.0),
        "culture.policy": st.sampled_from(["restrictive", "neutral", "open"]),
        "decisions.noise": st.sampled_from([0.0, 0.02, 0.3]),
        "decisions.awareness_source": st.sampled_from(["posters", "aware"]),
        "decisions.lapse": st.booleans(),
        "attention.silent_leaders_count": st.booleans(),
        "delegation.mode": st.sampled_from(["report", "comms_team"]),
        "delegation.comms_team_size": st.sampled_from([1, 10]),
        "leaders.rate": st.sampled_from([2.0, 45.0]),
        "delegation.followed": st.booleans(),
        "responses.criticism_rate": st.floats(0.0, 0.5),
        "people.posting_rate": st.sampled_from([0.5, 1.0, 2.5]),
        "people.innovators": st.sampled_from([0.0, 0.05]),
    }
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(updates=SL_SETTINGS, seed=st.integers(0, 1000))
def test_social_learning_batch_equals_single_runs(updates: dict[str, Any], seed: int) -> None:
    params = Params().with_updates({"org.size": 120, "steps": 15, **updates})
    seeds = [seed, seed + 1, seed + 2]
    batch = OrgModel(params, rng=seeds, structure=seed, agents=False).run()
    for r, s in enumerate(seeds):
        assert_same_run(batch, r, OrgModel(params, rng=s, structure=seed, agents=False).run())


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(updates=SL_SETTINGS, seed=st.integers(0, 1000), cuts=st.lists(st.integers(0, 600)))
def test_weeks_split_over_threads_equal_the_serial_kernel(
    updates: dict[str, Any], seed: int, cuts: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large organisation's week runs each phase on parts of the rows in parallel
    (``sl_kernel.step_split``); any split, empty parts included, gives the serial numbers."""
    params = Params().with_updates({"org.size": 600, "steps": 15, **updates})
    seeds = [seed, seed + 1]
    serial = OrgModel(params, rng=seeds, structure=seed, agents=False).run()
    bounds = [0, *sorted(cuts), 600]
    monkeypatch.setattr(social_learning, "THREADED_FROM", 0)
    monkeypatch.setattr(social_learning, "_threads", len(bounds) - 1 if len(bounds) > 2 else 2)
    monkeypatch.setattr(social_learning.SocialLearning, "_row_split", lambda self, k: bounds)
    calls: list[int] = []
    split_step = sl_kernel.step_split
    monkeypatch.setattr(sl_kernel, "step_split", lambda *a: calls.append(1) or split_step(*a))
    split = OrgModel(params, rng=seeds, structure=seed, agents=False).run()
    assert len(calls) == params.steps  # every week took the split path
    for r in range(len(seeds)):
        one = OrgModel(params, rng=seeds[r], structure=seed, agents=False).run()
        assert_same_run(split, r, one)
        assert_same_run(serial, r, one)


def test_a_single_run_leaves_the_paths_it_does_not_take_to_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """numba drops a branch on an argument that is None (not False) without compiling it:
    a single run learning block by block passes None for the kernel's ``across`` and
    ``rows`` switches, and a small organisation's record never calls the threaded tally,
    so that the first run compiles neither (bench/compile.py)."""
    switches: list[tuple[object, object]] = []
    step = sl_kernel.step
    monkeypatch.setattr(
        sl_kernel, "step", lambda *a: switches.append((a[ACROSS_AT], a[ROWS_AT])) or step(*a)
    )

    def threaded(*args: object) -> None:
        raise AssertionError("the threaded tally was called for a small organisation")

    monkeypatch.setattr(tally, "chunk_tallies_split", threaded)
    OrgModel(Params().with_updates({"org.size": 120, "steps": 6}), rng=1, agents=False).run()
    assert switches and set(switches) == {(None, None)}


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(updates=SL_SETTINGS, seed=st.integers(0, 1000), replications=st.integers(2, 9))
def test_learning_across_replications_equals_single_runs(
    updates: dict[str, Any], seed: int, replications: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large batch learns across its replications at once (``sl_kernel.learn_across``,
    one lane per replication); each replication still equals its own run, bit for bit."""
    params = Params().with_updates({"org.size": 120, "steps": 15, **updates})
    seeds = [seed + k for k in range(replications)]
    monkeypatch.setattr(social_learning, "ACROSS_FROM", 2)
    across: list[bool] = []
    step = sl_kernel.step
    monkeypatch.setattr(sl_kernel, "step", lambda *a: across.append(a[ACROSS_AT]) or step(*a))
    batch = OrgModel(params, rng=seeds, structure=seed, agents=False).run()
    assert across == [True] * params.steps  # every week learnt across the replications
    for r in {0, replications - 1}:
        assert_same_run(
            batch, r, OrgModel(params, rng=seeds[r], structure=seed, agents=False).run()
        )


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(updates=SL_SETTINGS, seed=st.integers(0, 1000), size=st.integers(40, 700))
def test_learning_block_by_block_equals_row_by_row(
    updates: dict[str, Any], seed: int, size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Organisations below ``BLOCKS_BELOW`` learn block by block, going down each block's
    columns and skipping the accounts that show nothing (``learn_blocks``; one block or
    several, the last one short); their runs equal those that learn row by row (``learn``),
    bit for bit."""
    params = Params().with_updates({"org.size": size, "steps": 12, **updates})
    blocks = OrgModel(params, rng=seed, structure=seed, agents=False)
    with monkeypatch.context() as patch:  # undone before hypothesis's next example
        patch.setattr(social_learning, "BLOCKS_BELOW", 0)
        rows = OrgModel(params, rng=seed, structure=seed, agents=False)
    for model, count in ((blocks, -(-size // sl_kernel.BLOCK_ROWS)), (rows, 0)):
        assert isinstance(model.mechanism, social_learning.SocialLearning)
        assert model.mechanism.blocks[0].shape == (6, count + 1)
    assert_same_run(blocks.run(), 0, rows.run())


def test_blocked_layout_holds_the_kernels_matrices(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read back block by block, the blocked layout is the neighbour, follow and endorsement
    matrices the kernel sums over, with each block's columns in ascending order; from
    ``FREE_FROM`` people, the context frees the endorsement and attention weights it kept and
    makes them again on demand, the same (as the organisation's own, compiled afresh)."""
    monkeypatch.setattr(social_learning, "FREE_FROM", 700)
    model = OrgModel(Params().with_updates({"org.size": 700, "steps": 1}), rng=2, agents=False)
    mechanism, ctx = model.mechanism, model.context
    assert isinstance(mechanism, social_learning.SocialLearning)
    assert "endorse_weights" not in ctx.__dict__  # freed: the blocks hold them
    assert "weights" not in ctx.attention.__dict__
    fresh = Attention.build(ctx.org, ctx.params.attention)
    for again, built in zip(ctx.attention.weights, fresh.weights, strict=True):
        assert (again.csr() != built.csr()).nnz == 0 and again.nnz == built.nnz > 0
    matrices = (ctx.attention.neighbour_weights, ctx.attention.follow_weights, ctx.endorse_weights)
    assert matrices[2].nnz > 0
    patterns = [(m.indptr, m.indices, m.codes) for m in matrices]
    read = read_blocks(mechanism.blocks, 700, sl_kernel.BLOCK_ROWS)
    for got, want in zip(read, patterns_dense(patterns, 700), strict=True):
        assert np.array_equal(got, want)


@settings(max_examples=400, deadline=None)
@given(
    gap=st.floats(-3.0, 3.0),
    noise=st.sampled_from([0.0, 1e-4, 0.02, 0.1, 0.3, 5.0]),
    u=st.floats(0.0, 1.0, exclude_max=True),
    ulps=st.integers(-4, 4),
)
def test_decision_shortcut_gives_the_logistic_answer(
    gap: float, noise: float, u: float, ulps: int
) -> None:
    """Decisions skip the exponential where the number is surely above the chance
    (``sl_kernel.below_chance``); the answer is ``u < chance`` whatever the number, also
    within a few units in the last place of the chance itself."""
    exact = sl_kernel.chance(gap, noise)
    for v in (u, exact, float(np.clip(exact + ulps * np.spacing(exact), 0.0, np.nextafter(1, 0)))):
        assert sl_kernel.below_chance(v, gap, noise) == (v < exact)


@given(x=st.one_of(st.floats(-50.0, 0.0), st.floats(-1e-6, 0.0), st.sampled_from([-1e4, -np.inf])))
def test_expm1_of_the_kernel_is_the_librarys_within_a_unit_in_the_last_place(x: float) -> None:
    """Tacit learning's ``e^x - 1`` (``sl_kernel.expm1_neg``, plain arithmetic that loops
    vectorise) is ``math.expm1``'s within one unit in the last place, -1 far below 0."""
    want = math.expm1(x)
    assert abs(sl_kernel.expm1_neg(x) - want) <= np.spacing(abs(want))


def test_tacit_growth_is_zero_with_nothing_seen_and_whole_when_all_is_learned() -> None:
    """No post seen: no growth, even at ``tacit_rate`` 1 (``log_keep`` -inf); a post seen at
    rate 1 teaches all that is left; one at 0.05 teaches 0.05 of it."""
    assert sl_kernel.tacit_growth(0.0, 0.0, 0.0, -math.inf) == 0.0
    assert sl_kernel.tacit_growth(0.1, 0.2, 0.0, -math.inf) == 1.0
    assert sl_kernel.tacit_growth(0.0, 1.0, 0.0, math.log1p(-0.05)) == pytest.approx(
        0.05, rel=1e-15
    )


def test_row_split_balances_the_ties_and_covers_every_row() -> None:
    model = OrgModel(Params().with_updates({"org.size": 3000, "steps": 1}), rng=1, agents=False)
    mechanism = model.mechanism
    assert isinstance(mechanism, social_learning.SocialLearning)
    bounds = mechanism._row_split(3)
    assert bounds[0] == 0 and bounds[-1] == 3000 and bounds == sorted(bounds)
    ptr = [np.asarray(mechanism.network()[k], dtype=np.int64) for k in (0, 4, 10)]
    work = [sum(int(p[hi] - p[lo]) for p in ptr) for lo, hi in itertools.pairwise(bounds)]
    assert max(work) - min(work) <= 0.05 * sum(work)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_mechanism_batch_equals_single_runs(name: str) -> None:
    params = Params().with_updates(
        {"org.size": 150, "steps": 12, "mechanism.name": name, "leaders.strategy": "model"}
    )
    seeds = [11, 12, 13, 14]
    batch = OrgModel(params, rng=seeds, structure=5, agents=False).run()
    assert batch.series()["poster"].max() > 0
    for r, s in enumerate(seeds):
        assert_same_run(batch, r, OrgModel(params, rng=s, structure=5, agents=False).run())


def test_mesa_face_equals_the_batched_kernel() -> None:
    """The Mesa model with its Person agents reads exactly what the batched kernel computed."""
    params = Params().with_updates({"org.size": 200, "steps": 20, "leaders.strategy": "delegate"})
    face = OrgModel(params, rng=3, structure=9).run()
    batch = OrgModel(params, rng=[4, 3], structure=9, agents=False).run()
    assert_same_run(batch, 1, face)
    stages = np.array([["non_user", "listener", "poster"].index(p.stage) for p in face.people])
    assert np.array_equal(stages, batch.state.stage[1])
    assert len(face.agents) == face.org.n


def assert_same_runs(a: Engine, b: Engine) -> None:
    """Every field of the state, the series, the levels and the outcomes, bit for bit."""
    for f in fields(State):
        got, want = getattr(a.state, f.name), getattr(b.state, f.name)
        if f.name == "extra":  # a mechanism's own arrays
            assert got.keys() == want.keys()
            got, want = list(got.values()), list(want.values())
        assert np.array_equal(got, want), f.name
    assert a.week == b.week
    assert a.series().equals(b.series())
    assert a.levels().equals(b.levels())
    assert a.outcomes().equals(b.outcomes())


def weeks_handed_over(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """Records ``(weeks asked for, weeks run)`` of each ``SocialLearning.run_weeks`` call."""
    calls: list[tuple[int, int]] = []
    run_weeks = social_learning.SocialLearning.run_weeks

    def spy(self: social_learning.SocialLearning, *args: Any) -> int:
        done = run_weeks(self, *args)
        calls.append((args[4], done))
        return done

    monkeypatch.setattr(social_learning.SocialLearning, "run_weeks", spy)
    return calls


@settings(max_examples=25, deadline=None)
@given(
    updates=SL_SETTINGS,
    seed=st.integers(0, 1000),
    replications=st.sampled_from([1, 3, 17]),
    start=st.integers(0, 6),
    length=st.integers(1, 12),
)
def test_weeks_run_at_once_equal_weeks_run_one_by_one(
    updates: dict[str, Any],
    seed: int,
    replications: int,
    start: int,
    length: int,
) -> None:
    """``Engine.run`` hands the weeks under the same actions (between the schedules' starts
    and stops) to the kernel at once, which records them too: the numbers of the Mesa
    face's week-by-week steps, batches learning across their replications included."""
    params = Params().with_updates(
        {
            "org.size": 120,
            "steps": 15,
            "leaders.start": start,
            "leaders.stop": start + length,
            **updates,
        }
    )
    seeds = [seed + k for k in range(replications)] if replications > 1 else seed
    with pytest.MonkeyPatch.context() as patch:  # undone after each example
        calls = weeks_handed_over(patch)
        at_once = Engine(params, rng=seeds, structure=seed).run()
    assert sum(done for _, done in calls) == 15
    assert all(done == asked for asked, done in calls)
    assert_same_runs(at_once, OrgModel(params, rng=seeds, structure=seed, agents=False).run())


@pytest.mark.parametrize("restricted", [False, True])
def test_a_held_poster_who_leaves_does_not_end_the_weeks_run_at_once(
    monkeypatch: pytest.MonkeyPatch, restricted: bool
) -> None:
    """Criticised modeling leaders pull back and leave their role. From the next week on
    they post as anyone does, at the employees' rate, cut by the time factor under a
    restricting leader: the kernel sets that itself, so the compiled weeks go on to the
    schedule's turn in week 10, and the run equals the one made week by week (where the
    strategies work out each week's actions)."""
    rules = [{"who": "level=0", "strategy": "restrict"}, {"who": "levels=1-3", "stop": 10}]
    params = Params().with_updates(
        {
            "org.size": 300,
            "steps": 30,
            "responses.criticism_rate": 0.8,
            "responses.cooldown": 1,  # leavers soon decide again: some post before week 10
            "decisions.noise": 0.3,
            "leaders.stop": 10,
            **({"leaders.rules": rules} if restricted else {}),
        }
    )
    calls = weeks_handed_over(monkeypatch)
    at_once = Engine(params, rng=7, structure=11).run()
    left = at_once.state.left_strategy[0]
    under = at_once.strategies.actions(at_once.week, at_once.state).restricted
    assert left.sum() > 0
    assert (left & under).any() == restricted
    assert calls == [(10, 10), (20, 20)]  # the schedule's turn alone splits the weeks
    assert_same_runs(at_once, OrgModel(params, rng=7, structure=11, agents=False).run())


@pytest.mark.parametrize("mechanism", sorted(REGISTRY))
def test_the_engine_alone_equals_the_mesa_model(mechanism: str) -> None:
    """Without Mesa, the engine gives the Mesa model's numbers in every field, the series,
    the levels and the outcomes; Mesa's clock counts the same weeks."""
    params = Params().with_updates(
        {"org.size": 150, "steps": 12, "mechanism.name": mechanism, "leaders.strategy": "delegate"}
    )
    engine = Engine(params, rng=[5, 6], structure=2).run()
    model = OrgModel(params, rng=[5, 6], structure=2, agents=False).run()
    assert engine.week == model.week == model.steps == 12
    for r in range(2):
        assert_same_run(engine, r, model.__class__(params, rng=[5, 6][r], structure=2).run())
    assert_same_runs(engine, model)


def test_the_engine_runs_without_importing_mesa_or_pandas() -> None:
    """A large run needs neither Mesa nor pandas (about 90 MiB less) nor scipy's graph
    module: the engine and its outcome columns import none of them."""
    code = (
        "import sys\n"
        "from simulator.engine import Engine\n"
        "from simulator.metrics import outcome_columns\n"
        "from simulator.params import Params\n"
        "engine = Engine(Params().with_updates({'org.size': 60, 'steps': 5}), rng=1).run()\n"
        "assert outcome_columns(engine.recorder)['poster'].shape == (1,)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'mesa', 'pandas', 'networkx'}))\n"
        "print(sorted(m for m in sys.modules if m.startswith('scipy.sparse.csgraph')))\n"
    )
    assert printed_in_a_fresh_process(code) == ["[]", "[]"]


# -- sweeps run shared organisations as batches ----------------------------------------------


def shared_plan(orgs: int | None) -> Plan:
    header: dict[str, Any] = {"name": "shared", "seed": 3, "replications": 6, "steps": 10}
    if orgs is not None:
        header["orgs"] = orgs
    return parse_scenario(
        {
            "scenario": header,
            "params": {"org": {"size": 120}},
            "arms": {
                "model": {"leaders.strategy": "model"},
                "delegate": {"leaders.strategy": "delegate"},
            },
            "axes": [{"param": "culture.openness", "values": [0.3, 0.7]}],
        }
    )[1]


def test_batched_sweep_runs_equal_runs_made_alone() -> None:
    plan = shared_plan(orgs=2)
    specs = list(plan.runs())
    assert len({s.batch_key for s in specs}) == 2 * 2 * 2  # points x arms x organisations
    batched = {r.key: r for r in run_task(specs)}
    for spec in specs:
        assert_same_result(batched[spec.key], run(spec))


def assert_same_result(got: Any, alone: Any) -> None:
    """Two results of a spec (``RunResult``) have the same outcomes and series."""
    assert got.ok and alone.ok
    assert got.outcomes.keys() == alone.outcomes.keys()
    for k, value in alone.outcomes.items():
        assert got.outcomes[k] == value or (pd_isna(got.outcomes[k]) and pd_isna(value)), k
    assert got.series is not None and alone.series is not None
    assert got.series.equals(alone.series)


def test_a_task_builds_each_organisation_once_for_the_arms_that_share_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from simulator.scenario import RunSpec

    built = []
    real = RunSpec.organisation

    def counted(spec: RunSpec) -> Any:
        built.append(spec.structure.spawn_key)
        return real(spec)

    monkeypatch.setattr(RunSpec, "organisation", counted)  # (what the sweep builds with)
    # three pairs of arms: three organisations; with shared organisations, the first three
    # replications run are those of the first organisation (they are run adjacent)
    for orgs, distinct in ((None, 3), (2, 1)):
        specs = list(shared_plan(orgs).runs())[:6]
        built.clear()
        together = run_task(specs)
        assert len(built) == len({s.structure.spawn_key for s in specs}) == distinct
        for spec, got in zip(specs, together, strict=True):
            alone = run(spec)  # builds its own organisation
            assert got.key == spec.key and got.ok and alone.ok
            assert got.series is not None and got.series.equals(alone.series)


def test_arms_that_share_a_network_compile_it_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from simulator.mechanisms import base, social_learning

    networks, layouts = [], []
    monkeypatch.setattr(base, "_network", counting(base._network, networks))
    monkeypatch.setattr(social_learning, "_compile", counting(social_learning._compile, layouts))
    for followed, compiled in ((False, 2), (True, 4)):  # 2 pairs: shared networks, or not
        plan = parse_scenario(
            {
                "scenario": {"name": "pairs", "seed": 5, "replications": 2, "steps": 8},
                "params": {"org": {"size": 150}, "delegation": {"followed": followed}},
                "arms": {
                    "model": {"leaders.strategy": "model"},
                    "delegate": {"leaders.strategy": "delegate"},
                },
            }
        )[1]
        specs = list(plan.runs())
        networks.clear(), layouts.clear()
        together = run_task(specs)
        assert len(networks) == len(layouts) == compiled
        for spec, got in zip(specs, together, strict=True):
            assert_same_result(got, run(spec))  # alone: compiles its own network


def counting(function: Any, calls: list[object]) -> Any:
    def counted(*args: Any) -> Any:
        calls.append(args)
        return function(*args)

    return counted


def test_a_context_is_reused_only_for_the_same_network() -> None:
    from simulator.mechanisms import Context

    params = Params().with_updates({"org.size": 120, "delegation.followed": False})
    model = Engine(params.with_updates({"leaders.strategy": "model"}), rng=1)
    delegate = params.with_updates({"leaders.strategy": "delegate"})
    same = Engine(delegate, rng=1, org=model.org, like=model.context)
    assert same.context.attention is model.context.attention
    assert same.mechanism.blocks is model.mechanism.blocks
    assert not np.array_equal(same.context.kind, model.context.kind)  # delegates: their own
    for other in (
        Engine(delegate, rng=1, like=model.context),  # an equal organisation, not the same
        Engine(
            delegate.with_updates({"attention.lateral_weight": 0.3}),
            rng=1,
            org=model.org,
            like=model.context,
        ),
        Engine(
            delegate.with_updates({"delegation.followed": True}),
            rng=1,
            org=model.org,
            like=model.context,
        ),
    ):
        assert other.context.attention is not model.context.attention
        assert isinstance(other.context, Context)
        alone = Engine(other.params, rng=1, org=other.org)
        assert other.run().series().equals(alone.run().series())


@pytest.mark.parametrize("freed", [False, True])
def test_other_followed_delegates_take_what_does_not_depend_on_them(
    freed: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An arm on the same organisation and attention parameters but with other followed
    delegates compiles a network of its own, taking from the earlier context what the
    delegates do not change: the neighbour weights' row sums, and the endorsement weights (one's
    own leaders) and neighbour weights unless that context has freed them (from
    ``FREE_FROM`` people). Its weights equal those compiled afresh, and its run the run
    without the earlier context, bit for bit."""
    if freed:
        monkeypatch.setattr(social_learning, "FREE_FROM", 300)
    params = Params().with_updates({"org.size": 300, "steps": 8, "delegation.followed": True})
    model = Engine(params.with_updates({"leaders.strategy": "model"}), rng=3)
    delegate = params.with_updates({"leaders.strategy": "delegate"})
    other = Engine(delegate, rng=3, org=model.org, like=model.context)
    ctx, first = other.context, model.context
    assert len(other.assignment.follows) > len(model.assignment.follows)
    assert ctx.attention is not first.attention and ctx.org is not first.org
    assert ctx.attention.neighbour_sums is first.attention.neighbour_sums
    kept = ("endorse_weights" in first.__dict__, "weights" in first.attention.__dict__)
    assert kept == (not freed, not freed)
    if not freed:
        assert ctx.endorse_weights is first.endorse_weights
        assert ctx.attention.neighbour_weights is first.attention.neighbour_weights
    alone = Engine(delegate, rng=3, org=model.org)
    fresh = (*alone.context.attention.weights, alone.context.endorse_weights)
    taken = (*ctx.attention.weights, ctx.endorse_weights)
    for got, want in zip(taken, fresh, strict=True):
        assert got.nnz == want.nnz > 0 and (got.csr() != want.csr()).nnz == 0
    assert_same_runs(other.run(), alone.run())


def pd_isna(value: Any) -> bool:
    return isinstance(value, float) and np.isnan(value)


def test_replications_sharing_an_organisation_share_it() -> None:
    plan = shared_plan(orgs=2)
    orgs = {}
    for spec in plan.runs():
        if spec.arm != "model":
            continue
        model = OrgModel(spec.params, rng=spec.seed, structure=spec.structure, agents=False)
        orgs.setdefault((spec.point, spec.org), []).append(model.org.manager)
        assert spec.org == spec.replication % 2
    for managers in orgs.values():
        assert len(managers) == 3
        assert all(np.array_equal(managers[0], m) for m in managers)
    first, second = orgs[(0, 0)][0], orgs[(0, 1)][0]
    assert not np.array_equal(first, second)  # two organisations, not one


def test_without_orgs_every_replication_has_its_own_organisation_as_before() -> None:
    plan = shared_plan(orgs=None)
    specs = [s for s in plan.runs() if s.arm == "model" and s.point == 0]
    assert [s.org for s in specs] == [s.replication for s in specs]
    assert all(s.structure.spawn_key == s.seed.spawn_key for s in specs)
    assert len({s.batch_key for s in specs}) == len(specs)


def test_a_batch_of_mixed_runs_is_refused() -> None:
    specs = list(shared_plan(orgs=None).runs())
    with pytest.raises(ValueError, match="one design point"):
        run_batch(specs[:2])


@settings(max_examples=15, deadline=None)
@given(
    n=st.integers(1, 3 * tally.TALLY_CHUNK + 17),
    parts=st.integers(1, 5),
    seed=st.integers(0, 1000),
)
def test_weekly_figures_are_the_same_on_any_number_of_threads(
    n: int, parts: int, seed: int
) -> None:
    """The record's chunked sums: the counts by level and stage are numpy's bincount, the
    mean comfort and reach are those of the people (up to rounding), and the chunks worked
    out in ``parts`` runs side by side give the same figures, bit for bit."""
    rng = np.random.default_rng(seed)
    levels = 4
    stage = rng.integers(0, 3, (1, n)).astype(np.int8)
    comfort = rng.random((1, n))
    level = rng.integers(0, levels, n).astype(np.int32)
    audience = rng.random(n) * 100
    level_size = np.bincount(level, minlength=levels)
    stages, by_level, figures = np.empty((1, 3)), np.empty((1, levels, 3)), np.empty((1, 2))
    tally.tally(stage, comfort, level, audience, level_size, 1, stages, by_level, figures)
    counts = np.bincount(level * 3 + stage[0], minlength=levels * 3).reshape(levels, 3)
    with np.errstate(invalid="ignore"):  # an empty level's shares are NaN
        assert np.array_equal(by_level[0], counts / level_size[:, None], equal_nan=True)
    assert np.array_equal(stages[0], counts.sum(axis=0) / n)
    assert figures[0, 0] == pytest.approx(audience[stage[0] == POSTER].sum(), rel=1e-12)
    assert figures[0, 1] == pytest.approx(comfort.mean(), rel=1e-12)
    split_stages, split_levels, split_figures = (
        np.empty_like(x) for x in (stages, by_level, figures)
    )
    tally.tally(
        stage, comfort, level, audience, level_size, parts, split_stages, split_levels,
        split_figures,
    )  # fmt: skip
    assert np.array_equal(split_figures, figures)
    assert np.array_equal(split_stages, stages)
    assert np.array_equal(split_levels, by_level, equal_nan=True)


def test_outcomes_of_ones_own_read_the_weeks_an_engine_stepped_part_way_has_run() -> None:
    """Two weeks into a ten-week run: a week past them is a ValueError saying where the
    engine is (it was a bare IndexError), and a statistic covers weeks 0 to 2."""
    engine = Engine(Params().with_updates({"org.size": 60, "steps": 10}), rng=3)
    engine.step()
    engine.step()
    with pytest.raises(ValueError) as err:
        engine.outcomes({"w": {"series": "poster", "at": 5}})
    assert str(err.value) == (
        "outcomes.w.at = 5: past the weeks run so far; at most 2 (the engine is at week 2;"
        " week 0 is the start)"
    )
    table = engine.outcomes(
        {"w": {"series": "poster", "at": 2}, "most": {"series": "posts", "stat": "sum"}}
    )
    weeks = engine.series()
    assert table.loc[0, "w"] == weeks.loc[weeks["step"] == 2, "poster"].item()
    assert table.loc[0, "most"] == weeks["posts"].sum()
    assert weeks["step"].max() == 2
