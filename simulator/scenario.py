"""Scenario files: one research question, validated at the door, expanded into runs.

A scenario (TOML, see ``scenarios/README.md``) fixes parameters, sweeps axes with a design
(a full grid by default; explicit points; Latin hypercube, Sobol/Saltelli or Morris over
bounds), runs named arms paired on common random numbers, with replications from one root
seed; its ``[run]`` settings say where the runs are made (a Dask cluster), never what they
give. :func:`load_scenario` validates the whole file before anything runs; every problem is
reported as one line naming the file, the key path, the value and what is allowed.

The concepts live in their own modules, and every public name is importable from here:

- :mod:`simulator.scenario_file`: the file's blocks as models (:class:`Scenario`,
  :class:`Header`, :class:`Record`, :class:`RunSettings`, :class:`Axis`, :class:`Design`)
  and :class:`ScenarioError`;
- :mod:`simulator.scenario_planning`: :func:`plan` expands a valid scenario into its design
  points (:mod:`simulator.design`) and a :class:`~simulator.plan.Plan`, whose
  :meth:`~simulator.plan.Plan.runs` are picklable :class:`~simulator.plan.RunSpec` objects;
  :func:`design_notes`;
- :mod:`simulator.scenario_chart`: the org chart a scenario runs on (``org_csv``);
- :mod:`simulator.scenario_reduced`: :func:`reduced`, the small version, for smoke tests.

Examples
--------
>>> s = Scenario.model_validate({
...     "scenario": {"name": "demo", "seed": 1, "replications": 2, "steps": 5},
...     "params": {"org": {"size": 60}},
...     "arms": {"model": {"leaders": {"strategy": "model"}},
...              "delegate": {"leaders": {"strategy": "delegate"}}},
...     "axes": [{"param": "culture.openness", "values": [0.3, 0.7]}],
... })
>>> p = plan(s)
>>> len(p.points), p.run_count
(2, 8)
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from simulator.design import DESIGNS, PATHS, axis_bounds, describe_point, flatten, parameter_range
from simulator.errors import format_validation_error
from simulator.plan import WORDING, Plan, RunSpec
from simulator.scenario_chart import CHART_SHAPE
from simulator.scenario_file import (
    NAME_MAX,
    SERIES_COLUMNS,
    Axis,
    Block,
    Design,
    Header,
    Record,
    RunSettings,
    Scenario,
    ScenarioError,
    beside,
)
from simulator.scenario_planning import design_notes, plan
from simulator.scenario_reduced import REDUCED_CAPS, reduced

__all__ = [  # (what was this module's before its parts had modules of their own)
    "CHART_SHAPE",
    "DESIGNS",
    "NAME_MAX",
    "PATHS",
    "REDUCED_CAPS",
    "SERIES_COLUMNS",
    "WORDING",
    "Axis",
    "Block",
    "Design",
    "Header",
    "Plan",
    "Record",
    "RunSettings",
    "RunSpec",
    "Scenario",
    "ScenarioError",
    "axis_bounds",
    "describe_point",
    "design_notes",
    "flatten",
    "load_scenario",
    "parameter_range",
    "parse_scenario",
    "plan",
    "reduced",
]


def load_scenario(path: str | Path) -> tuple[Scenario, Plan]:
    """Read, validate and plan a scenario file; raise :class:`ScenarioError` if anything is off.

    Every parameter set anywhere (fixed, per arm, per design point) is validated before this
    returns, so a sweep never starts on a file that fails later.
    """
    if isinstance(path, str) and "\n" in path:
        raise ScenarioError(
            [
                "load_scenario reads a file: pass its path; for TOML text use"
                " parse_scenario(tomllib.loads(text))"
            ]
        )
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ScenarioError([f"{path}: file not found"]) from None
    except UnicodeDecodeError as err:
        raise ScenarioError([f"{path}: not UTF-8 text ({err.reason})"]) from None
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError([f"{path}: not valid TOML: {err}"]) from None
    return parse_scenario(data, source=str(path))


def parse_scenario(data: Mapping[str, Any], source: str = "scenario") -> tuple[Scenario, Plan]:
    """Validate scenario data (as read from TOML) and plan it."""
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(format_validation_error(err, source, root=Scenario)) from None
    planned = plan(_scheduler_file(scenario, source), source)
    return planned.scenario, planned  # (its files' paths absolute: plan(reduced(s)) finds them)


def _scheduler_file(scenario: Scenario, source: str) -> Scenario:
    """``scenario`` with its ``[run] cluster`` scheduler file made absolute: a relative path
    is taken from the scenario file's folder (as ``org_csv`` is), not the current one."""
    cluster = scenario.run.cluster
    if cluster is None or not cluster.endswith(".json") or not Path(source).is_file():
        return scenario
    run = scenario.run.model_copy(update={"cluster": str(beside(source, cluster))})
    return scenario.model_copy(update={"run": run})
