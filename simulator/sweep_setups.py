"""Set-up checks: the runs of a plan that cannot be set up (such as a comms team larger
than its pool), found before any run starts (:func:`check_setups`, for ``orgsim validate``
and ``orgsim sweep``; :class:`SetupError`).

Each distinct set-up is built as an engine builds it first (its organisation and the
leaders' strategies and delegates), in this process or on a sweep's workers
(:func:`_failing`, a picklable task). :mod:`simulator.sweep` re-exports every name here.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from typing import TYPE_CHECKING, Any

import numpy as np

from simulator.design import describe_point
from simulator.errors import SimulatorError, describe, is_user_error
from simulator.sweep_runs import Said, caught, placed, say

if TYPE_CHECKING:
    from simulator.plan import Plan, RunSpec

SETUP_CHECKS = 200
"""Most set-ups :func:`check_setups` builds (distinct ones spread over the design beyond that)."""

REPLICATION_CHECKS = 8
"""Most replications :func:`check_setups` builds each distinct set-up on (their organisations
and delegates differ), within :data:`SETUP_CHECKS` builds in all."""


class SetupError(SimulatorError):
    """Runs of a plan that cannot be set up (:func:`check_setups`), found before any ran."""


def check_setups(
    plan: Plan, executor: Executor | None = None, parts: int = 1, shown: set[Any] | None = None
) -> list[str]:
    """Why runs of the plan would fail when they are set up, such as a comms team larger than
    its pool, or nothing: one line per arm, at the first design point where it fails.

    Each distinct set-up (the organisation, leader and delegation parameters of a design
    point and arm) is built on the organisations of its first replications: the organisation
    and the strategy assignment, as an engine builds them first (:func:`_set_up`), about a
    millisecond at 1,000 people. A generated organisation differs by replication, so a
    leader may have no one to appoint in replication 2 and not in 0. ``SETUP_CHECKS`` builds
    at most: up to ``REPLICATION_CHECKS`` replications of each set-up, fewer with many
    set-ups, and beyond ``SETUP_CHECKS`` distinct set-ups that many spread evenly over the
    design, on replication 0 only. With an ``executor``, in ``parts`` tasks there (a
    sweep's workers, which import the simulator anyway, all started at once)."""
    setups: dict[str, tuple[int, str]] = {}
    for (point, arm), params in plan.params.items():
        key = params.model_dump_json(include={"org", "leaders", "delegation", "restriction"})
        setups.setdefault(f"{arm}:{key}", (point, arm))
    chosen = sorted(setups.values())
    if len(chosen) > SETUP_CHECKS:
        spread = np.linspace(0, len(chosen) - 1, SETUP_CHECKS).round().astype(int)
        chosen = [chosen[i] for i in sorted(set(spread.tolist()))]
    replications = max(
        1, min(plan.replications, REPLICATION_CHECKS, SETUP_CHECKS // max(1, len(chosen)))
    )
    builds = [(point, arm, r) for point, arm in chosen for r in range(replications)]
    if executor is None:
        said, found = _failing(plan, builds)
    else:
        try:
            tasks = [executor.submit(_failing, plan, builds[k::parts]) for k in range(parts)]
            done = [task.result() for task in tasks]
        except SimulatorError:
            raise
        except Exception as err:  # a Dask scheduler gone before a worker took them
            from simulator.sweep import ExecutorLostError  # (the driver's error)

            raise ExecutorLostError(
                f"the executor stopped taking work ({type(err).__name__}: {err}) while the"
                " set-ups were checked; nothing was written: run the sweep again"
            ) from None
        said = tuple(dict.fromkeys(w for part, _ in done for w in part))
        found = [problem for _, part in done for problem in part]
    say(said, shown)  # such as a strategy rule that picks no leader
    first: dict[str, str] = {}
    for *_, arm, line in sorted(found):  # (by design point, then replication: whatever the
        first.setdefault(arm, line)  # parts the builds were split into)
    return [first[arm] for arm in plan.arms if arm in first]


def _failing(
    plan: Plan, setups: Sequence[tuple[int, str, int]]
) -> tuple[Said, list[tuple[int, int, str, str]]]:
    """The warnings the ``setups`` (design point, arm, replication) raise (:func:`placed`),
    and ``(point, replication, arm, why)`` of those that fail (the first one of each arm)."""
    said: list[tuple[type[Warning], str]] = []
    found: list[tuple[int, int, str, str]] = []
    for point, arm, replication in setups:
        if any(arm == a for _, _, a, _ in found):
            continue
        try:
            raised, _ = caught(_set_up, plan.spec(point, arm, replication))
            said.extend(placed(raised, plan, arm))
        except Exception as err:
            if not is_user_error(err):
                raise
            where = f" at design point {point} ({describe_point(plan.points[point])})"
            where = where if plan.points[point] else ""
            runs = "its runs fail" if replication == 0 else f"its replication {replication} fails"
            why = f"arm {arm}{where}: {runs}: {'; '.join(describe(err))}"
            found.append((point, replication, arm, why))
    return tuple(dict.fromkeys(said)), found


def _set_up(spec: RunSpec) -> None:
    """What an engine builds first for ``spec``, where set-ups fail: its organisation and
    the leaders' strategies and delegates (without the network or the mechanism, and
    without importing them)."""
    from simulator.rng import RunStreams
    from simulator.strategies import assign

    assign(spec.organisation(), spec.params, RunStreams(spec.structure).generator("assignment"))
