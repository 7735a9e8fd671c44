"""A folder of another scenario is refused naming what differs as the scenario file says it."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from builders import paired_scenario

from simulator.results import ResultsError, ResultsFolder, scenario_differences
from simulator.scenario import Plan, parse_scenario

SCENARIO = paired_scenario("resume", seed=7, replications=2, steps=52, size=150)


def planned(text: str) -> Plan:
    return parse_scenario(tomllib.loads(text))[1]


def refusal(tmp_path: Path, changed: str) -> str:
    """The message refusing ``changed`` in the folder of :data:`SCENARIO` (no run needed:
    the manifest is written when the folder is opened)."""
    ResultsFolder.open(tmp_path / "res", planned(SCENARIO))
    with pytest.raises(ResultsError) as err:
        ResultsFolder.open(tmp_path / "res", planned(changed))
    return str(err.value)


def test_a_new_horizon_is_named_as_the_scenario_writes_it(tmp_path: Path) -> None:
    """Sweeping again with [scenario] steps = 40 said 'base.steps: 52 -> 40' besides
    'scenario.steps': the plan's name for the fixed parameters, which no file writes."""
    message = refusal(tmp_path, SCENARIO.replace("steps = 52", "steps = 40"))
    assert "differs in scenario.steps: 52 -> 40. Choose another" in message
    assert "base." not in message


def test_fixed_parameters_and_the_design_kind_are_named_as_written(tmp_path: Path) -> None:
    """The same two design points, listed instead of a grid; 160 people instead of 150."""
    axis = '[[axes]]\nparam = "culture.openness"\nvalues = [0.3, 0.8]\n'
    listed = (
        '[design]\nkind = "points"\n'
        "points = [{ culture.openness = 0.3 }, { culture.openness = 0.8 }]\n"
    )
    changed = SCENARIO.replace("org.size = 150", "org.size = 160").replace(axis, listed)
    message = refusal(tmp_path, changed)
    assert message.endswith(
        "differs in params.org.size: 150 -> 160; design.kind: 'grid' -> 'points'. Choose"
        " another output folder, or remove that one (only more replications can be added to"
        " a folder)"
    )


def test_the_horizon_set_in_params_and_in_the_header() -> None:
    """``base.steps`` is the header's steps when it sets them, else ``[params] steps``; a
    key one scenario leaves out is '(none)', not JSON's null."""
    header = {"scenario": {"steps": 52}, "base": {"steps": 52}}
    params = {"scenario": {"steps": None}, "base": {"steps": 40}}
    default = {"scenario": {"steps": None}, "base": {}}
    assert scenario_differences(params, {**params, "base": {"steps": 30}}) == [
        "params.steps: 40 -> 30"
    ]
    assert scenario_differences(header, params) == [
        "scenario.steps: 52 -> (none)",
        "steps: 52 -> 40",
    ]
    assert scenario_differences(params, default) == ["params.steps: 40 -> (none)"]


def test_an_org_charts_people_and_contents_are_named_by_its_file() -> None:
    a = {"base": {"org.size": 80}, "org_chart": {"people": 80, "sha256": "ab" * 32}}
    b = {"base": {"org.size": 90}, "org_chart": {"people": 90, "sha256": "cd" * 32}}
    lines = scenario_differences(a, b, shown=5)
    assert lines[0] == "scenario.org_csv (its people): 80 -> 90"  # (said once)
    assert lines[1].startswith("scenario.org_csv (its contents): 'abab")
    assert len(lines) == 2
