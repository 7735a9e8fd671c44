"""Scenario files: one research question, validated at the door, expanded into runs.

A scenario (TOML, see ``scenarios/README.md``) fixes parameters, sweeps axes with a design
(a full grid by default; explicit points; Latin hypercube, Sobol/Saltelli or Morris over
bounds), runs named arms paired on common random numbers, with replications from one root
seed; its ``[run]`` settings say where the runs are made (a Dask cluster), never what they
give. :func:`load_scenario` validates the whole file before anything runs; every problem is
reported as one line naming the file, the key path, the value and what is allowed.
:func:`plan` expands a valid scenario into its design points (:mod:`simulator.design`) and a
:class:`~simulator.plan.Plan`, whose :meth:`~simulator.plan.Plan.runs` are picklable
:class:`~simulator.plan.RunSpec` objects; :func:`reduced` is its small version, for smoke tests.

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

import json
import math
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import ConfigDict, Field, ValidationError, field_validator, model_validator

from simulator.custom_outcomes import Outcome, check, fewest_levels, shrunk
from simulator.design import (
    DESIGN_KEYS,
    DESIGNS,
    DRAWS_VALUES,
    PATHS,
    axis_bounds,
    check_design,
    coerce,
    describe_point,
    design_points,
    design_size,
    dotted,
    flatten,
    is_numeric,
    set_by_every_point,
    swept_paths,
)
from simulator.design import parameter_range as parameter_range  # (a name of this module)
from simulator.errors import SimulatorError, format_validation_error
from simulator.measures import SERIES
from simulator.params import NoBoolNumbers, Params, get_path
from simulator.plan import CHART_FILES, Plan
from simulator.plan import WORDING as WORDING  # (simulator.results imports it from here)
from simulator.plan import RunSpec as RunSpec  # (simulator.sweep imports it from here)

if TYPE_CHECKING:
    from simulator.orgimport import Chart

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


# -- loading ---------------------------------------------------------------------------------


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
    run = scenario.run.model_copy(update={"cluster": str(_beside(source, cluster))})
    return scenario.model_copy(update={"run": run})


def _beside(source: str, path: str) -> Path:
    """``path`` made absolute, a relative one taken from the folder of the scenario file
    ``source`` (from the current folder when the scenario is not read from a file)."""
    folder = Path(source).parent if Path(source).is_file() else Path()
    return (folder / Path(path).expanduser()).resolve()


# -- planning --------------------------------------------------------------------------------


CHART_SHAPE = ("org.size", "org.span", "org.span_jitter", "org.units")
"""Parameters of a generated organisation's shape, which an org chart replaces."""


def plan(scenario: Scenario, source: str = "scenario") -> Plan:
    """Expand and validate every parameter combination; raise :class:`ScenarioError`."""
    header = scenario.scenario
    base = flatten(scenario.params)
    if header.steps is not None:
        base["steps"] = header.steps
    arms = {name: flatten(updates) for name, updates in scenario.arms.items()} or {"base": {}}
    errors = [f"{source}: {line}" for line in check_design(scenario)]
    chart = None
    if header.org_csv is not None:
        scenario, chart = _read_chart(scenario, base, arms, source, errors)
        if chart is not None:
            base["org.size"] = chart.n
    base_params = _validated(base, f"{source}: params", errors)
    if base_params is not None:  # arms and axis values only matter on valid fixed params
        for name, updates in arms.items() if scenario.arms else ():
            _validated({**base, **updates}, f"{source}: arms.{name}", errors)
        errors += _check_axes(scenario, base, arms, source)
    if errors:
        raise ScenarioError(errors)
    count = design_size(scenario) * len(arms) * header.replications
    if count > header.max_runs:
        raise ScenarioError(
            [
                f"{source}: the plan has {count:,} runs ({design_size(scenario):,} design "
                f"point(s) x {len(arms)} arm(s) x {header.replications} replication(s)), more "
                f"than scenario.max_runs = {header.max_runs:,}; shrink the design or raise "
                "max_runs"
            ]
        )
    assert base_params is not None
    points = design_points(scenario, base_params, source)
    params: dict[tuple[int, str], Params] = {}
    for i, point in enumerate(points):
        for name, updates in arms.items():
            where = f"{source}: design point {i} ({describe_point(point)}), arm {name}"
            value = _validated({**base, **point, **updates}, where, errors)
            if value is not None:
                params[(i, name)] = value
        if len(errors) >= 10:
            break
    if scenario.outcomes and not errors:
        levels = _fewest_levels(params.values(), chart)
        swept = _swept_horizon(scenario.axes)  # (whatever this seed and samples drew)
        horizon = None if swept is None else (swept, f"steps is swept from {swept}")
        errors += [
            f"{source}: {line}"
            for line in check(scenario.outcomes, params.values(), levels, horizon=horizon)
        ]
    if errors:
        raise ScenarioError(errors)
    written = {  # (values are scalars: copies of the dicts keep them as written)
        "base": dict(base),
        "arms": {name: dict(updates) for name, updates in arms.items()},
        "points": [dict(point) for point in points],
    }
    _as_run(points, arms, params, base)
    changed = written != {"base": base, "arms": arms, "points": points}
    return Plan(scenario, base, arms, points, params, chart, written if changed else None)


def _swept_horizon(axes: Iterable[Axis]) -> int | None:
    """The shortest horizon an axis sweeping ``steps`` can give a run: its smallest listed
    value, else its low bound (as a draw rounds it); None if no axis sweeps it. An outcome's
    week is checked against it rather than against the horizons a design happened to draw,
    which another seed or number of samples changes."""
    for axis in axes:
        if axis.param != "steps":
            continue
        if axis.values is not None:
            return min(int(float(v)) for v in axis.values)  # (validated: whole numbers)
        span = axis_bounds(axis)
        return None if span is None else int(coerce(axis, span[0]))
    return None


def _fewest_levels(params: Iterable[Params], chart: Chart | None) -> int:
    """The fewest hierarchy levels any run's organisation has (an org chart's own)."""
    if chart is not None:
        table = chart.table
        return int((table.depth if table.level is None else table.level).max()) + 1
    return min(
        fewest_levels(p.org.size, p.org.units, p.org.span, p.org.span_jitter) for p in params
    )


def _as_run(
    points: list[dict[str, Any]],
    arms: dict[str, dict[str, Any]],
    params: dict[tuple[int, str], Params],
    base: dict[str, Any],
) -> None:
    """A number or a boolean written as text (``values = ["0.9", "0.3"]``, which the
    parameters take), on an axis, in an arm or in ``[params]``, is recorded as the
    parameter's value, 0.9: the outcomes' column held text, the report drew the values as
    categories in file order, and the same scenario written with numbers was another one.
    (``"none"`` stays as written: digests of folders written before hold it so.)"""

    def follower(key: str) -> str | None:  # an arm that runs at the value, not its own
        return next((a for a, updates in arms.items() if key not in updates), None)

    for i, values in [*enumerate(points), (0, base)]:
        for key, value in values.items():
            if (arm := follower(key)) is not None:
                values[key] = _ran(value, params[(i, arm)], key)
    for name, updates in arms.items():
        for key, value in updates.items():
            updates[key] = _ran(value, params[(0, name)], key)


def _ran(value: Any, params: Params, key: str) -> Any:
    """``value`` as the parameters hold it, if it is a number or boolean written as text."""
    if not isinstance(value, str):
        return value
    ran = get_path(params, key)
    return ran if ran is not None and not isinstance(ran, str) else value


def _read_chart(
    scenario: Scenario,
    base: dict[str, Any],
    arms: dict[str, dict[str, Any]],
    source: str,
    errors: list[str],
) -> tuple[Scenario, Chart | None]:
    """The scenario's org chart, read (its files' paths made absolute in the scenario
    returned, as a results folder's manifest keeps them); problems go to ``errors``."""
    from simulator.orgimport import Chart, OrgChartError

    header = scenario.scenario
    ties = header.ties_csv is not None
    shape = [*CHART_SHAPE, *(("org.lateral_within", "org.lateral_across") if ties else ())]
    where = [("params", base), *((f"arms.{a}", u) for a, u in arms.items())]
    where += [(f"axes[{i}]", {a.param: None}) for i, a in enumerate(scenario.axes)]
    where += [(f"design.points[{i}]", flatten(u)) for i, u in enumerate(scenario.design.points)]
    for place, updates in where:
        for path in [k for k in shape if k in updates]:
            errors.append(
                f"{source}: {place}: {path} does not apply with scenario."
                f"{'ties_csv' if path.startswith('org.lateral') else 'org_csv'} (the org chart"
                " gives it); remove it"
            )
    files = {
        key: _beside(source, value)
        for key in CHART_FILES
        if (value := getattr(header, key)) is not None
    }
    chart = None
    for key, file in files.items():
        if not file.is_file():
            what = "a folder, not a table" if file.is_dir() else "no such file"
            errors.append(f"{source}: scenario.{key} = {getattr(header, key)!r}: {what} ({file})")
            return scenario, None
        try:
            chart = Chart.read(file) if chart is None else chart.with_ties(file)
        except (OrgChartError, OSError) as err:
            errors.append(f"{source}: scenario.{key}: {err}")
            return scenario, None
    header = header.model_copy(update={k: str(f) for k, f in files.items()})
    return scenario.model_copy(update={"scenario": header}), chart


def design_notes(plan: Plan) -> list[str]:
    """What a valid plan does that its author may not mean, a line each: an arm that sets a
    swept parameter itself runs at its own value at every design point (its rows say so),
    where the other arms follow the axis; arms whose parameters are the same (one setting a
    default, another nothing) make the same runs (the same seeds); a ``[design]`` key the
    design's kind does not use, a Latin hypercube or Monte Carlo design of more samples
    than the combinations of its listed values (its points repeat), and more organisations
    than replications."""
    lines = []
    same: dict[str, list[str]] = {}  # arms by their parameters at the first point, then all
    for arm in plan.arms:
        same.setdefault(plan.params[(0, arm)].model_dump_json(), []).append(arm)
    for arms in same.values():
        if len(arms) > 1 and all(
            plan.params[(i, arm)] == plan.params[(i, arms[0])]
            for i in range(len(plan.points))
            for arm in arms[1:]
        ):
            lines.append(
                f"arms {', '.join(arms)} run with the same parameters: their runs are the same"
                " (the same seeds), and their differences 0"
            )
    for arm, updates in plan.arms.items():
        for path in plan.overrides[arm]:
            lines.append(
                f"arm {arm} sets {path} = {updates[path]!r} itself, which the design sweeps:"
                f" it runs at {updates[path]!r} at every design point (its rows say so), the"
                " other arms at the design's values"
            )
    design, header = plan.scenario.design, plan.scenario.scenario
    for key, kinds in DESIGN_KEYS.items():
        # (set to other than its default: a manifest's scenario holds every key, written out)
        if getattr(design, key) != Design.model_fields[key].default and design.kind not in kinds:
            lines.append(
                f"design.{key} = {json.dumps(getattr(design, key))} is for design.kind ="
                f" {' or '.join(map(repr, kinds))}; with {design.kind!r} it is not used"
            )
    listed = [len(a.values) for a in plan.scenario.axes if a.values is not None]
    combinations = math.prod(listed)
    if (
        design.kind in DRAWS_VALUES
        and listed
        and len(listed) == len(plan.scenario.axes)
        and design.samples > combinations
    ):
        lines.append(
            f"design.samples = {design.samples} draws from only {combinations} distinct"
            f" combination{'s' * (combinations > 1)} of listed values: points repeat; a grid"
            " (design.kind = 'grid') runs each once"
        )
    if header.orgs is not None and header.orgs > header.replications:
        lines.append(
            f"scenario.orgs = {header.orgs} is more than scenario.replications ="
            f" {header.replications}: only {header.replications} organisation"
            f"{'s are' if header.replications > 1 else ' is'} used, one per replication"
        )
    return lines


def _check_axes(
    scenario: Scenario, base: dict[str, Any], arms: dict[str, dict[str, Any]], source: str
) -> list[str]:
    """Each axis value (or bound) once on the fixed parameters; axes every arm overrides;
    parameters both fixed and swept (the fixed value would never be used)."""
    problems: list[str] = []
    fixed = {path: f"[params] ({path} = {v!r})" for path, v in flatten(scenario.params).items()}
    if scenario.scenario.steps is not None:
        fixed["steps"] = f"scenario.steps (= {scenario.scenario.steps})"
    swept = [(f"axes[{i}]", axis.param) for i, axis in enumerate(scenario.axes)]
    swept += [("every one of design.points", path) for path in sorted(set_by_every_point(scenario))]
    for where, path in swept:
        if path in fixed:
            problems.append(
                f"{source}: {where} ({path}): also fixed in {fixed[path]}; the sweep would"
                " override it, so that value is never used: remove one"
            )
    for i, axis in enumerate(scenario.axes):
        if scenario.arms and all(axis.param in updates for updates in arms.values()):
            problems.append(
                f"{source}: axes[{i}] ({axis.param}): every arm sets this parameter, "
                "so the axis would change nothing; sweep it in the arms or drop it"
            )
            continue
        if axis.values is None and not is_numeric(axis.param):
            continue  # check_design reports it
        if axis.bounds is None and axis.values is None:
            continue  # the parameter's own range: valid by definition (check_design checks it)
        values = axis.values if axis.values is not None else axis.bounds or ()
        key = "values" if axis.values is not None else "bounds"
        for j, value in enumerate(values):
            found: list[str] = []
            _validated(
                {**base, axis.param: coerce(axis, value) if key == "bounds" else value}, "", found
            )
            problems += [f"{source}: axes[{i}].{key}[{j}]: {line.lstrip(': ')}" for line in found]
    return problems


def _validated(updates: dict[str, Any], where: str, errors: list[str]) -> Params | None:
    try:
        return Params().with_updates(updates)
    except ValidationError as err:
        errors.extend(format_validation_error(err, where))
        return None
    except ValueError as err:  # (paths that cannot go together, such as two mechanisms')
        errors.append(f"{where}: {err}" if where else str(err))
        return None


# -- the small version -----------------------------------------------------------------------


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
        swept_from = _swept_horizon(axes)
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
