"""Small organisations and models for the tests, built by hand where the answer is on paper.

A *quiet* org has no random ties at all: the network is just the reporting tree (plus the
team cliques when ``team_ties`` is on, so a star with team ties is a complete graph).
"""

from __future__ import annotations

import inspect
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp

from simulator.mechanisms import sl_kernel
from simulator.metrics import Recorder
from simulator.model import OrgModel
from simulator.orgchart import ROOT, Org, build_org, complete_org
from simulator.params import OrgParams, Params
from simulator.state import POSTER

ACROSS_AT, ROWS_AT = (
    list(inspect.signature(sl_kernel.step.py_func).parameters).index(name)
    for name in ("across", "rows")
)
"""Where the kernel step takes its ``across`` and ``rows`` switches."""


def quiet_org(manager: Sequence[int] | np.ndarray, *, team_ties: bool = False) -> Org:
    """The org with this reporting tree and no lateral or follow ties."""
    p = OrgParams(team_ties=team_ties, lateral_within=0, lateral_across=0, follow_levels=0)
    return complete_org(np.asarray(manager, dtype=np.int64), p, np.random.default_rng(0))


def balanced_tree(span: int, depth: int) -> np.ndarray:
    """Managers of a full tree numbered breadth first: the reports of ``k`` are ``span*k+1..``."""
    n = sum(span**d for d in range(depth + 1))
    return np.r_[ROOT, (np.arange(1, n) - 1) // span].astype(np.int64)


def path(n: int) -> np.ndarray:
    """Managers of a chain 0 - 1 - ... - n-1 (each person reports to the previous one)."""
    return np.arange(-1, n - 1, dtype=np.int64)


def star(n: int) -> np.ndarray:
    """Managers of a star: person 0 leads the ``n - 1`` others."""
    return np.r_[ROOT, np.zeros(n - 1, dtype=np.int64)]


def complete_graph(n: int) -> Org:
    """``n`` people who all observe each other: a star with team ties."""
    return quiet_org(star(n), team_ties=True)


def random_org(size: int, seed: int, **org: Any) -> Org:
    """A generated org with team and lateral ties and a follow layer (overridable)."""
    p = OrgParams(
        size=size,
        span=4,
        span_jitter=1,
        units=3,
        lateral_within=2.0,
        lateral_across=0.5,
        follow_levels=2,
        follow_prob=0.3,
    ).model_copy(update=org)
    return build_org(p, np.random.default_rng(seed))


def distances(org: Org, source: int) -> np.ndarray:
    """Hops from ``source`` to everyone along observation ties (taken as undirected)."""
    graph = nx.Graph(org.to_networkx())
    hops = nx.single_source_shortest_path_length(graph, source)
    return np.array([hops.get(i, -1) for i in range(org.n)])


def params(name: str, updates: Mapping[str, Any] | None = None) -> Params:
    """Parameters of mechanism ``name``: no leader strategy, nobody initially aware."""
    base = {"mechanism.name": name, "leaders.strategy": "none", "people.initial_aware": 0.0}
    return Params().with_updates({**base, **(updates or {})})


def make_model(
    p: Params,
    org: Org,
    seed: int | Sequence[int] = 0,
    *,
    adopters: Sequence[int] = (),
    threshold: Sequence[float] | np.ndarray | None = None,
) -> OrgModel:
    """A model on ``org`` whose only initial adopters are ``adopters`` (when given).

    ``threshold`` sets every person's threshold (all replications). The record restarts so
    that step 0 of the series shows the initial state as set here.
    """
    model = OrgModel(
        p, rng=list(seed) if isinstance(seed, Sequence) else seed, org=org, agents=False
    )
    state = model.state
    if adopters:
        state.stage[:] = np.where(state.stage == POSTER, 0, state.stage)
        state.adopted_at[:] = -1
        state.stage[:, list(adopters)] = POSTER
        state.adopted_at[:, list(adopters)] = 0
    if threshold is not None:
        state.threshold[:] = np.asarray(threshold, dtype=float)[None, :]
    model.recorder = Recorder(model.context)
    model.recorder.record(state)
    return model


def ever_adopted(model: OrgModel) -> np.ndarray:
    """Share of people who ever adopted, per replication."""
    return np.asarray((model.state.adopted_at >= 0).mean(axis=1))


def patterns_dense(
    patterns: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]], n: int
) -> list[np.ndarray]:
    """Each CSR pattern ``(indptr, indices, codes)`` over ``n`` columns as a dense matrix of
    its codes + 1 (0 where there is no entry)."""
    return [
        sp.csr_matrix((code.astype(int) + 1, idx, indptr), shape=(len(indptr) - 1, n)).toarray()
        for indptr, idx, code in patterns
    ]


def read_blocks(arrays: Sequence[np.ndarray], n: int, rows: int) -> list[np.ndarray]:
    """The matrices of a blocked layout (``simulator.sparse.Blocked.arrays``) over ``n`` rows
    in blocks of ``rows``, as dense matrices of codes + 1, going down each block's columns
    from where the block's entries start; checks that each block lists its columns once,
    ascending, and that its entries end where the next block's start."""
    ptr, columns, counts, block_rows, codes = arrays
    matrices = len(ptr) // 2
    assert ptr.shape == (2 * matrices, -(-n // rows) + 1) and ptr[-1, -1] == len(codes)
    read = []
    for m in range(matrices):
        dense = np.zeros((n, n), dtype=int)
        for b in range(ptr.shape[1] - 1):
            assert (np.diff(columns[ptr[m, b] : ptr[m, b + 1]]) > 0).all()
            q = int(ptr[matrices + m, b])
            for c in range(ptr[m, b], ptr[m, b + 1]):
                for e in range(q, q + int(counts[c]) + 1):
                    dense[b * rows + int(block_rows[e]), columns[c]] = int(codes[e]) + 1
                q += int(counts[c]) + 1
            assert q == ptr[matrices + m, b + 1]
        read.append(dense)
    return read


def printed_in_a_fresh_process(code: str) -> list[str]:
    """The words ``code`` prints when run by a new interpreter (which must succeed): what a
    fresh process imports, say, which this one has imported already."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def folder_of_outcomes(plan: Any, out: Any, outcomes: Any) -> Any:
    """A results folder holding one finished 'run' per planned run, whose outcomes are
    ``outcomes(spec)`` (a dict of floats): for analyses of outcomes known by construction.
    Its runs have no series (or levels, or people) rows, but their files are there, without
    rows: a finished run whose file is gone is one a sweep runs again, and ``load`` warns."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from simulator.results import ResultsFolder
    from simulator.results_tables import kept_tables
    from simulator.sweep import RunResult

    folder = ResultsFolder.open(out, plan)
    attempt = folder.begin(plan.run_count)
    results = [
        RunResult(s.point, s.arm, s.replication, outcomes(s), None, None, None, 0.0)
        for s in plan.runs()
    ]
    folder.write(0, attempt, results)
    within = {"series": ["step"], "levels": ["step", "level"], "people": ["person"]}
    for part in sorted(Path(out).glob("outcomes/arm=*/part-*.parquet")):
        for table in kept_tables(plan.scenario.record.model_dump()):
            columns = ["point", "replication", "attempt", *within[table]]
            target = Path(out) / table / part.parent.name / part.name
            target.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(pa.schema([(c, pa.int64()) for c in columns]).empty_table(), target)
    folder.finish(attempt, len(results), 0)
    return out


def paired_scenario(
    name: str,
    *,
    seed: int,
    replications: int,
    steps: int,
    size: int,
    question: str = "",
    extra: str = "",
) -> str:
    """A scenario file's text: arms ``model`` and ``delegate`` swept over
    ``culture.openness`` = 0.3, 0.8 (``extra``: more of the file after it, e.g. an axis)."""
    head = f"# Question: {question}\n" if question else ""
    return (
        f'{head}[scenario]\nname = "{name}"\nseed = {seed}\nreplications = {replications}\n'
        f"steps = {steps}\n\n[params]\norg.size = {size}\n\n"
        '[arms.model]\nleaders.strategy = "model"\n\n'
        '[arms.delegate]\nleaders.strategy = "delegate"\n\n'
        '[[axes]]\nparam = "culture.openness"\nvalues = [0.3, 0.8]\n' + extra
    )
