"""The small version of a scenario (``--reduced``): the same structure, few runs.

:func:`reduced` keeps a scenario's arms, axes, design kind and outcomes and shrinks what
makes it big: replications, weeks and people (:data:`REDUCED_CAPS`), each axis to its ends,
a sampler to its smallest design. Smoke tests and CI run every shipped scenario so
(``orgsim validate --reduced``, ``orgsim sweep --reduced``).

Examples
--------
>>> from simulator.scenario_file import Scenario
>>> from simulator.scenario_planning import plan
>>> s = Scenario.model_validate({
...     "scenario": {"name": "demo", "seed": 1, "replications": 20, "steps": 52},
...     "params": {"org": {"size": 2000}},
...     "arms": {"model": {"leaders": {"strategy": "model"}},
...              "delegate": {"leaders": {"strategy": "delegate"}}},
...     "axes": [{"param": "culture.openness", "values": [0.2, 0.4, 0.6, 0.8]}],
... })
>>> small = reduced(s)
>>> small.scenario.replications, small.scenario.steps, small.params["org"]["size"]
(2, 8, 150)
>>> small.axes[0].values, plan(small).run_count
((0.2, 0.8), 8)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from simulator.custom_outcomes import shrunk
from simulator.design import axis_bounds, dotted, flatten, swept_paths
from simulator.params import Params
from simulator.scenario_file import Scenario
from simulator.scenario_planning import swept_horizon

REDUCED_CAPS = {"org.size": (60, 150), "steps": (4, 8)}
"""The small version's swept people and weeks: at most the second number (bounds from at
most the first)."""


def reduced(scenario: Scenario) -> Scenario:
    """A small version of a scenario for smoke tests and CI: the same structure, few runs.

    At most 2 replications, 8 weeks and 150 people (in the fixed parameters, the arms, the
    listed points and the axes alike, :data:`REDUCED_CAPS`; an org chart keeps its people
    and levels); grids keep each axis's first and last value (or 2 steps); samplers draw
    their smallest design (lhs and montecarlo 3 points, sobol N = 2, morris 2 trajectories),
    never more than the scenario's own. Its ``[outcomes]`` keep their weeks up to the
    shortest horizon it runs (a swept ``steps`` axis's smallest value or low bound).
    """
    header = scenario.scenario
    replications = min(header.replications, 2)
    params = flatten(dict(scenario.params))
    size = params.get("org.size", Params().org.size)
    swept = swept_paths(scenario)  # (not fixed as well: they would never be used)
    most = REDUCED_CAPS["org.size"][1]
    sized = "org.size" in swept or header.org_csv is not None  # (an org chart has its size)
    small = {**params, **({} if sized else {"org.size": min(int(size), most)})}

    def capped(updates: Mapping[str, Any]) -> dict[str, Any]:  # an arm's or a point's
        out = dict(updates)
        for key, (_, most) in REDUCED_CAPS.items():
            if isinstance(out.get(key), int):
                out[key] = min(out[key], most)
        return out

    axes = []
    for axis in scenario.axes:
        cap = REDUCED_CAPS.get(axis.param)
        if cap is not None and axis.values is not None:  # (values above the cap merge)
            merged = dict.fromkeys(min(int(v), cap[1]) for v in axis.values)
            axis = axis.model_copy(update={"values": tuple(merged)})
        elif cap is not None:
            span = axis_bounds(axis) or cap
            axis = axis.model_copy(update={"bounds": (min(span[0], cap[0]), cap[1])})
        if axis.values is not None and len(axis.values) > 2:
            axis = axis.model_copy(update={"values": (axis.values[0], axis.values[-1])})
        if axis.steps is not None:
            axis = axis.model_copy(update={"steps": 2})
        axes.append(axis)
    smallest = {"lhs": 3, "montecarlo": 3, "sobol": 2, "morris": 2}.get(scenario.design.kind)
    design = scenario.design
    if smallest is not None:  # (never more than the scenario's own: samples = 1 stays 1)
        design = design.model_copy(update={"samples": min(design.samples, smallest)})
    if design.points:
        points = tuple(dotted(capped(flatten(p))) for p in design.points[:2])
        design = design.model_copy(update={"points": points})
    arms = {name: dotted(capped(flatten(updates))) for name, updates in scenario.arms.items()}
    steps = (
        None
        if "steps" in swept
        else min(header.steps or params.get("steps") or Params().steps, REDUCED_CAPS["steps"][1])
    )
    if steps is not None:
        shortest = steps
    else:  # (swept: the reduced axis's smallest value or low bound, which may be below 4)
        swept_from = swept_horizon(axes)
        shortest = REDUCED_CAPS["steps"][0] if swept_from is None else swept_from
    steps_cap = min([shortest, *_arm_steps(arms)])
    return scenario.model_copy(
        update={
            "scenario": header.model_copy(
                update={
                    "replications": replications,
                    "orgs": None if header.orgs is None else min(header.orgs, replications),
                    "steps": steps,
                }
            ),
            "outcomes": shrunk(
                scenario.outcomes, steps_cap, keep_levels=header.org_csv is not None
            ),
            "params": dotted(small),
            "arms": arms,
            "axes": tuple(axes),
            "design": design,
        }
    )


def _arm_steps(arms: Mapping[str, Mapping[str, Any]]) -> list[int]:
    """The horizons the arms set themselves (as dotted updates)."""
    return [int(u["steps"]) for u in arms.values() if isinstance(u.get("steps"), int)]
