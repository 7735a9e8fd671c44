"""Planning a scenario: its design points and arms, validated, into a :class:`~simulator.plan.Plan`.

:func:`plan` checks what the file's blocks alone cannot (:mod:`simulator.scenario_file`):
the design against its axes (:func:`~simulator.design.check_design`), every parameter set
anywhere (fixed, per arm, each axis value or bound, each design point and arm) on
:class:`~simulator.params.Params`, the number of runs against ``max_runs``, the outcomes
the scenario defines against the runs' horizons and levels, and the org chart when it names
one (:mod:`simulator.scenario_chart`); every problem is one line naming the file, the key
path, the value and what is allowed, and nothing is planned before all are fixed.
:func:`design_notes` says what a valid plan does that its author may not mean.

Examples
--------
>>> from simulator.scenario_file import Scenario
>>> s = Scenario.model_validate({
...     "scenario": {"name": "demo", "seed": 1, "replications": 3, "steps": 5},
...     "arms": {"open": {"culture": {"openness": 0.9}}, "closed": {}},
...     "axes": [{"param": "culture.openness", "values": ["0.2", 0.6]}],
... })
>>> p = plan(s)
>>> p.points, p.run_count
([{'culture.openness': 0.2}, {'culture.openness': 0.6}], 12)
>>> design_notes(p)  # doctest: +NORMALIZE_WHITESPACE
["arm open sets culture.openness = 0.9 itself, which the design sweeps: it runs at 0.9 at
every design point (its rows say so), the other arms at the design's values"]
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from simulator.custom_outcomes import check, fewest_levels
from simulator.design import (
    DESIGN_KEYS,
    DRAWS_VALUES,
    axis_bounds,
    check_design,
    coerce,
    describe_point,
    design_points,
    design_size,
    flatten,
    is_numeric,
    set_by_every_point,
)
from simulator.errors import format_validation_error
from simulator.params import Params, get_path
from simulator.plan import Plan
from simulator.scenario_chart import read_chart
from simulator.scenario_file import Axis, Design, Scenario, ScenarioError

if TYPE_CHECKING:
    from simulator.orgimport import Chart


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
        scenario, chart = read_chart(scenario, base, arms, source, errors)
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
        swept = swept_horizon(scenario.axes)  # (whatever this seed and samples drew)
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


def swept_horizon(axes: Iterable[Axis]) -> int | None:
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


def design_notes(plan: Plan) -> list[str]:
    """What a valid plan does that its author may not mean, a line each: an arm that sets a
    swept parameter itself runs at its own value at every design point (its rows say so),
    where the other arms follow the axis; arms whose parameters are the same (one setting a
    default, another nothing) make the same runs (the same seeds); a ``[design]`` key given
    that the design's kind does not use (whatever its value, but for a default in a design
    written out in full, as a manifest keeps it); an axis's ``steps`` with its ``values``
    (ignored); a Latin hypercube or Monte Carlo design of more samples
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
    given = design.model_fields_set
    in_full = given >= Design.model_fields.keys()  # (as a manifest keeps it: every key)
    for key, kinds in DESIGN_KEYS.items():
        value = getattr(design, key)
        if design.kind in kinds or key not in given:
            continue
        if in_full and value == Design.model_fields[key].default:
            continue  # (written out in full, not chosen)
        lines.append(
            f"design.{key} = {json.dumps(value)} is for design.kind ="
            f" {' or '.join(map(repr, kinds))}; with {design.kind!r} it is not used"
        )
    for i, axis in enumerate(plan.scenario.axes):
        if axis.values is not None and axis.steps is not None:
            lines.append(
                f"axes[{i}] ({axis.param}): steps = {axis.steps} is ignored with values (the axis"
                f" runs its {len(axis.values)} listed value{'s' * (len(axis.values) > 1)}):"
                " remove steps"
            )
        elif axis.steps is not None and design.kind != "grid":
            lines.append(
                f"axes[{i}] ({axis.param}): steps = {axis.steps} is for design.kind = 'grid';"
                f" a {design.kind!r} design draws its points within the bounds: remove steps"
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
