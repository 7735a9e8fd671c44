"""The scenario file's blocks: ``[scenario]``, ``[record]``, ``[params]``, ``[arms]``,
``[[axes]]``, ``[design]``, ``[run]`` and ``[outcomes]``, as pydantic models.

Each block is a frozen model in which an unknown key is an error (:class:`Block`), so a
scenario (TOML, see ``scenarios/README.md``) validates at the door, one readable line per
problem (:class:`ScenarioError`); :mod:`simulator.schema` writes the JSON Schema editors use
from these same models. What one block alone can say is checked here (a folder name, bounds
in order, an arm's name); what needs the parameters, the design or the org chart, when the
scenario is planned (:mod:`simulator.scenario_planning`). A path the file gives (an org chart,
a scheduler file) is taken from the file's own folder (:func:`beside`).

Examples
--------
>>> s = Scenario.model_validate({
...     "scenario": {"name": "demo", "seed": 1},
...     "axes": [{"param": "culture.openness", "bounds": [0.2, 0.8]}],
...     "design": {"kind": "lhs", "samples": 8},
... })
>>> s.scenario.replications, s.axes[0].scale, s.design.samples
(10, 'linear', 8)
>>> from pydantic import ValidationError
>>> try:
...     Axis.model_validate({"param": "culture.openness", "bounds": [0.8, 0.2]})
... except ValidationError as err:
...     print(err.errors()[0]["msg"])
Value error, bounds [0.8, 0.2]: low must be below high
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from simulator.custom_outcomes import Outcome
from simulator.design import DESIGNS, PATHS
from simulator.errors import SimulatorError
from simulator.measures import SERIES
from simulator.params import NoBoolNumbers

SERIES_COLUMNS: tuple[str, ...] = SERIES
"""Per-step columns a scenario can record (adoptions by source are always outcomes)."""

NAME_MAX = 100
"""Longest scenario or arm name (each names a folder of the results)."""


class ScenarioError(SimulatorError):
    """A scenario file that cannot be run; ``lines`` holds one readable line per problem."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


class Block(NoBoolNumbers):
    """A scenario section; unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Header(Block):
    """``[scenario]``: what the file is about and how much to run."""

    name: str = Field(
        description="Short name; used in reports and as the default results folder.",
        min_length=1,
        max_length=NAME_MAX,
    )
    question: str = Field("", description="The research question the file answers.")

    @field_validator("name")
    @classmethod
    def _a_folder_name(cls, name: str) -> str:
        if name != name.strip() or name.startswith(".") or any(c in name for c in "/\\:"):
            raise ValueError(
                f"name {name!r} names the default results folder (results/<name>): no / \\ or"
                " :, no leading dot, no spaces at either end"
            )
        return name

    seed: int = Field(description="Root seed of the whole scenario.", ge=0, le=2**63 - 1)
    replications: int = Field(10, description="Runs per design point and arm.", ge=1, le=1_000_000)
    steps: int | None = Field(
        None, description="Horizon in weeks (default: params.steps).", ge=1, le=1_000_000
    )
    orgs: int | None = Field(
        None,
        description=(
            "Distinct generated organisations per design point: replication r uses the "
            "organisation and delegate assignment of replication r mod orgs, with its own people "
            "and dynamics. Replications sharing an organisation run together as one batch "
            "(much faster). Omitted: every replication has its own organisation."
        ),
        ge=1,
        le=1_000_000,
    )
    max_runs: int = Field(
        200_000,
        description="Refuse plans with more runs than this (a guard against huge grids).",
        ge=1,
        le=10_000_000,  # (a plan holds its design points and parameters in memory)
    )
    org_csv: str | None = Field(
        None,
        description="Run on this org chart (CSV: id, manager_id, optional unit, title, level;"
        " see the README) instead of generated organisations; a relative path is taken from"
        " the scenario file's folder. Each replication draws its informal ties (unless"
        " ties_csv), follows and audiences; org.size, span, span_jitter and units do not apply.",
        min_length=1,
    )
    ties_csv: str | None = Field(
        None,
        description="The informal ties (CSV: source, target) of org_csv's people, then the only"
        " ones (org.lateral_within and lateral_across do not apply); relative to the scenario"
        " file's folder.",
        min_length=1,
    )

    @model_validator(mode="after")
    def _ties_of_a_chart(self) -> Header:
        if self.ties_csv is not None and self.org_csv is None:
            raise ValueError("ties_csv needs org_csv: the ties are between an org chart's people")
        return self


class Record(Block):
    """``[record]``: what is kept of each run."""

    every: int = Field(
        1,
        description="Keep every k-th step of the per-step series (the last step is always kept).",
        ge=1,
        le=1_000_000,
    )
    series: tuple[Literal[SERIES_COLUMNS], ...] = Field(  # type: ignore[valid-type]
        SERIES_COLUMNS, description="Per-step columns to keep."
    )
    levels: bool = Field(True, description="Keep stage shares by hierarchy level per step.")
    people: bool = Field(
        False,
        description="Keep a row per person and run (the people table): level, unit, role,"
        " reports, audience, strategy, and the first week each was a listener and a poster"
        " (about 1.1x the time of a run without it).",
    )


class RunSettings(Block):
    """``[run]``: where and how the runs are made; never changes their results (nor the
    scenario's digest)."""

    cluster: str | None = Field(
        None,
        description="Address of a running Dask scheduler, tcp://host:port, or the path of its "
        "scheduler file (*.json): run there instead of on local processes "
        "(see docs/cluster.md). `orgsim sweep --cluster` overrides it.",
    )
    workers: int | None = Field(
        None,
        description="Local worker processes (default: one per CPU the sweep may use; `orgsim "
        "sweep --workers` overrides it).",
        ge=1,
        le=10_000,
    )
    pairs_per_task: int | None = Field(
        None,
        description="Paired runs sent to a worker at a time (default: sized from the runs "
        "and the workers so that scheduling overhead stays small).",
        ge=1,
        le=100_000,
    )
    connect_timeout: float = Field(
        20.0,
        description="Seconds to wait for the Dask scheduler: for its file and its port (a"
        " batch job may start it with the sweep), then for its answer.",
        gt=0,
        le=3600,
    )

    @field_validator("cluster")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        from simulator.cluster import check_address

        return None if value is None else check_address(value)


class Axis(Block):
    """``[[axes]]``: one swept parameter, by values or by bounds (for sampled designs and
    grids with ``steps``, the parameter's own range when neither is given)."""

    param: Literal[PATHS] = Field(  # type: ignore[valid-type]
        description="Dotted parameter path, e.g. culture.openness."
    )
    values: tuple[Any, ...] | None = Field(None, description="Values to sweep (grid).")
    bounds: tuple[float, float] | None = Field(
        None,
        description="[low, high] for sampled designs, or for a grid with `steps`; default: "
        "the parameter's own range.",
    )
    steps: int | None = Field(None, description="Grid points over the bounds.", ge=2, le=10_000)
    scale: Literal["linear", "log"] = Field("linear", description="Spacing over the bounds.")

    @field_validator("values", mode="before")
    @classmethod
    def _a_list(cls, value: Any) -> Any:
        if value is not None and not isinstance(value, list | tuple):
            raise ValueError("must be a list of the values to sweep, e.g. [0.3, 0.5, 0.7]")
        return value

    @field_validator("bounds", mode="before")
    @classmethod
    def _a_pair(cls, value: Any) -> Any:
        if value is not None and not (isinstance(value, list | tuple) and len(value) == 2):
            raise ValueError("must be two numbers, [low, high]")
        return value

    @model_validator(mode="after")
    def _one_source(self) -> Axis:
        if self.values is not None and self.bounds is not None:
            raise ValueError("give values or bounds, not both")
        if self.values is not None and len(self.values) == 0:
            raise ValueError("values is empty: an axis needs at least one value")
        if self.bounds is not None:
            low, high = self.bounds
            if not (math.isfinite(low) and math.isfinite(high)):
                raise ValueError(f"bounds [{low}, {high}] must be finite numbers")
            if not low < high:
                raise ValueError(f"bounds [{low}, {high}]: low must be below high")
            if self.scale == "log" and low <= 0:
                raise ValueError(f"a log scale needs bounds above 0, not [{low:g}, {high:g}]")
        return self


class Design(Block):
    """``[design]``: how the axes combine into design points."""

    kind: Literal[DESIGNS] = Field(  # type: ignore[valid-type]
        "grid",
        description="grid (all combinations), points (listed), lhs (Latin hypercube; axes "
        "with bounds or values), montecarlo (independent uniform draws; axes with bounds or "
        "values), sobol (Saltelli sampling for Sobol indices), morris (elementary effects).",
    )
    samples: int = Field(
        16,
        description="lhs, montecarlo: points; sobol: base samples N (a power of 2; "
        "N(D+2) points, N(2D+2) with second_order); morris: trajectories (D+1 points each).",
        ge=1,
        le=1_000_000,
    )
    levels: int = Field(4, description="Morris grid levels.", ge=2, le=100)
    second_order: bool = Field(False, description="Sobol: also second-order indices.")
    points: tuple[dict[str, Any], ...] = Field(
        (), description="kind points: one table per design point, {dotted.path = value}."
    )


class Scenario(Block):
    """A whole scenario file."""

    scenario: Header
    record: Record = Record()
    params: dict[str, Any] = Field(
        default_factory=dict, description="Fixed parameters (nested tables or dotted keys)."
    )
    arms: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Named variants, run paired on the same streams."
    )
    axes: tuple[Axis, ...] = ()
    design: Design = Design()
    run: RunSettings = RunSettings()
    outcomes: dict[str, Outcome] = Field(
        default_factory=dict,
        description="Outcomes of each run defined here, by name: {series = ..., and one of at,"
        " stat (with from, until) or first_reaching; level for a stage share by level}.",
    )

    @field_validator("axes", mode="before")
    @classmethod
    def _axes_a_list(cls, axes: Any) -> Any:
        if isinstance(axes, dict):  # ([axes] in TOML: one table, not a list of them)
            raise ValueError(
                "[axes] makes one table; write [[axes]] (double brackets), one table per axis"
            )
        return axes

    @field_validator("arms")
    @classmethod
    def _arm_names(cls, arms: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        for name in arms:
            if not name.replace("_", "").replace("-", "").isalnum():
                raise ValueError(
                    f"arm name {name!r}: use letters, digits, - and _, with at least one letter"
                    " or digit"
                )
            if len(name) > NAME_MAX:
                raise ValueError(
                    f"arm name {name[:20]!r}... is {len(name)} characters; at most {NAME_MAX}"
                    " (it names a folder of the results)"
                )
        return arms


def beside(source: str, path: str) -> Path:
    """``path`` made absolute, a relative one taken from the folder of the scenario file
    ``source`` (from the current folder when the scenario is not read from a file)."""
    folder = Path(source).parent if Path(source).is_file() else Path()
    return (folder / Path(path).expanduser()).resolve()
