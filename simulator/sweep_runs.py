"""Runs: what a sweep's worker does with a task, a few paired runs (:func:`run_task`).

:func:`run` is a pure, picklable function of a :class:`~simulator.plan.RunSpec`; a failing
run is returned with its error (:class:`RunResult`) instead of raising. A task
(:func:`tasks`) holds whole pairs, every arm of a design point and replication; its runs
that share an organisation run as one batch of replications (:func:`run_batch`), the arms
that share it on one built once (:class:`Organisations`). The warnings a worker's runs raise
are kept with their results (:func:`caught`) and shown once, by the sweep's own process
(:func:`say`, :func:`placed`).

Executors pickle :func:`run_task` by its module path, so a worker imports this module: it
imports the engine only as a batch runs, and neither pandas nor pyarrow.
:mod:`simulator.sweep` drives the tasks over an executor and re-exports every name here.
"""

from __future__ import annotations

import os
import re
import time
import traceback
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # imported where used: a sweep's parent process runs no model
    import pandas as pd

    from simulator.engine import Engine
    from simulator.mechanisms import Context
    from simulator.orgchart import Org
    from simulator.plan import Plan, RunSpec

Columns = dict[str, np.ndarray]
Said = tuple[tuple[type[Warning], str], ...]
"""Warnings raised and not shown: (category, message), each once, in the order raised."""


@dataclass
class RunResult:
    """What one run produced (or its error): outcomes, and its per-step tables as columns
    (numpy arrays; :attr:`series` and :attr:`levels` are them as DataFrames), and with
    ``[record] people``, its row per person (:mod:`simulator.people`)."""

    point: int
    arm: str
    replication: int
    outcomes: dict[str, Any]
    series_columns: Columns | None
    level_columns: Columns | None
    error: str | None
    seconds: float
    said: Said = ()  # the warnings its batch raised, shown by the sweep's own process
    people_columns: Columns | None = None  # a row per person ([record] people)

    @property
    def series(self) -> pd.DataFrame | None:
        """The per-step table of the run (columns ``step`` and the kept series)."""
        import pandas as pd

        return None if self.series_columns is None else pd.DataFrame(self.series_columns)

    @property
    def levels(self) -> pd.DataFrame | None:
        """The per-step, per-level table of the run."""
        import pandas as pd

        return None if self.level_columns is None else pd.DataFrame(self.level_columns)

    @property
    def people(self) -> pd.DataFrame | None:
        """The row per person of the run (``[record] people``; None when not kept)."""
        import pandas as pd

        return None if self.people_columns is None else pd.DataFrame(self.people_columns)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def key(self) -> tuple[int, str, int]:
        return (self.point, self.arm, self.replication)


def run(spec: RunSpec) -> RunResult:
    """Run one simulation; never raises for a failing run (the error is returned)."""
    result = run_batch([spec])[0]
    say(result.said)
    return result


def run_batch(specs: Sequence[RunSpec], orgs: Organisations | None = None) -> list[RunResult]:
    """Run specs that share parameters and organisation (one :attr:`RunSpec.batch_key`) as one
    batch of replications; each result equals the run of its spec alone, bit for bit. The
    organisation and network come from ``orgs`` if given (built there once for the batches
    sharing them).

    Never raises for failing runs: the error is returned in every result of the batch. The
    warnings the batch raises are returned too (:attr:`RunResult.said`), not shown: on a
    worker they would go to its log (a cluster's, out of sight) in Python's format, once
    per worker; the sweep shows each once (:func:`say`).
    """
    said, results = caught(_run_batch, specs, orgs)
    for result in results:
        result.said = said
    return results


def caught[T](f: Callable[..., T], *args: Any) -> tuple[Said, T]:
    """``f(*args)`` with the warnings it raises kept, not shown (see :func:`say`). (Not for
    threads that run at once: Python's warning filters are the process's.)"""
    with warnings.catch_warnings(record=True) as raised:
        warnings.simplefilter("always")
        value = f(*args)
    return tuple(dict.fromkeys((w.category, str(w.message)) for w in raised)), value


def say(said: Iterable[tuple[type[Warning], str]], shown: set[Any] | None = None) -> None:
    """Show warnings kept by :func:`caught`, here; those in ``shown`` not again (it takes
    the others: one set for a whole sweep, whose tasks each raise their own)."""
    for warning in said:
        if shown is None or warning not in shown:
            warnings.warn(warning[1], warning[0], stacklevel=2)
            if shown is not None:
                shown.add(warning)


def placed(said: Said, plan: Plan, arm: str) -> Said:
    """Warnings raised by ``arm``'s runs, a setting named in them by its place in the
    scenario file when the arm sets it (``arms.middle.leaders.rules[0]``, not
    ``leaders.rules[0]``, which could be any arm's)."""
    own = plan.arms.get(arm, {})
    out = []
    for category, text in said:
        path = re.sub(r"\[\d+\]", "", text.split(" ", 1)[0])
        if any(path == key or path.startswith(f"{key}.") for key in own):
            text = f"arms.{arm}.{text}"
        out.append((category, text))
    return tuple(out)


def _run_batch(specs: Sequence[RunSpec], orgs: Organisations | None) -> list[RunResult]:
    from simulator.custom_outcomes import columns as custom_columns
    from simulator.metrics import outcome_columns
    from simulator.people import columns as people_columns

    start = time.perf_counter()
    first = specs[0]
    if any(s.batch_key != first.batch_key for s in specs):
        raise ValueError("run_batch takes runs of one design point, arm and organisation")
    try:
        model = (Organisations() if orgs is None else orgs).engine(specs)
        followed = model.recorder.follow(model.state, model.week) if first.people else None
        model.run()  # (following the people: the same numbers)
        by_person: Sequence[Columns | None] = (
            [None] * len(specs)
            if followed is None
            else people_columns(model.org, model.assignment, followed, model.state)
        )
        recorder = model.recorder
        steps = _kept_steps(first.params.steps, first.record_every)
        by_series = recorder.run_columns(steps, first.series)
        by_level: Sequence[Columns | None] = (
            recorder.run_level_columns(steps) if first.levels else [None] * len(specs)
        )
        columns = outcome_columns(recorder)
        columns.update(custom_columns(recorder, dict(first.outcomes)))  # (the scenario's)
    except Exception as err:  # failing runs are recorded, not fatal
        if os.environ.get("ORGSIM_DEBUG"):
            traceback.print_exc()
        seconds = (time.perf_counter() - start) / len(specs)
        error = f"{type(err).__name__}: {err}"
        return [
            RunResult(s.point, s.arm, s.replication, {}, None, None, error, seconds) for s in specs
        ]
    seconds = (time.perf_counter() - start) / len(specs)
    del columns["replication"]
    values = [column.tolist() for column in columns.values()]  # Python numbers, as to_dict's
    return [
        RunResult(
            spec.point,
            spec.arm,
            spec.replication,
            dict(zip(columns, row, strict=True)),
            by_series[r],
            by_level[r],
            None,
            seconds,
            people_columns=by_person[r],
        )
        for r, (spec, row) in enumerate(zip(specs, zip(*values, strict=True), strict=True))
    ]


def run_task(specs: Sequence[RunSpec]) -> list[RunResult]:
    """Run a task's specs, those sharing an organisation as one batch, the arms of a design
    point that share an organisation on one built once; results in spec order."""
    groups: dict[tuple[int, str, int], list[RunSpec]] = {}
    for spec in specs:
        groups.setdefault(spec.batch_key, []).append(spec)
    orgs = Organisations()
    done = {r.key: r for group in groups.values() for r in run_batch(group, orgs)}
    return [done[s.key] for s in specs]


class Organisations:
    """The organisation of the last batch a task ran, for the next batch if that shares it:
    the arms of a design point and replication share their organisation (and seed), and a
    task runs them one after the other, so each organisation is built once. The last
    batch's :attr:`context` goes with it: where the next batch's network is the same (as
    modeling's and delegating's without followed delegates), it is compiled once too. Only
    the last of each is kept, so a task's memory does not grow with its batches."""

    def __init__(self) -> None:
        self._key: tuple[object, ...] | None = None
        self._org: Org | None = None
        self.context: Context | None = None  # the last batch's

    def engine(self, specs: Sequence[RunSpec]) -> Engine:
        """The engine of a batch of ``specs`` (one :attr:`RunSpec.batch_key`), on the last
        organisation and network where they are its own."""
        from simulator.engine import Engine

        first = specs[0]
        org = self.of(first)
        seeds = [s.seed for s in specs]
        engine = Engine(
            first.params, rng=seeds, org=org, structure=first.structure, like=self.context
        )
        self.context = engine.context
        return engine

    def of(self, spec: RunSpec) -> Org:
        """``spec``'s organisation: from its organisation seed and parameters (and its org
        chart)."""
        seed = spec.structure
        key = (seed.entropy, seed.spawn_key, spec.params.org, id(spec.chart))
        if self._org is None or key != self._key:
            self._org = self.context = None  # (the last is freed before the next is built)
            self._org = spec.organisation()
            self._key = key
        return self._org


def _kept_steps(steps: int, every: int) -> np.ndarray:
    keep = np.arange(0, steps + 1, every)
    return keep if keep[-1] == steps else np.append(keep, steps)


def tasks(specs: Iterable[RunSpec], pairs_per_task: int) -> Iterator[list[RunSpec]]:
    """Group runs into tasks of whole pairs (all arms of a point and replication)."""
    batch: list[RunSpec] = []
    pair: tuple[int, int] | None = None
    pairs = 0
    for spec in specs:
        key = (spec.point, spec.replication)
        if key != pair:
            if pairs == pairs_per_task:
                yield batch
                batch, pairs = [], 0
            pair, pairs = key, pairs + 1
        batch.append(spec)
    if batch:
        yield batch
