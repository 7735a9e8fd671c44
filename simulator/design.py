"""Designs: how a scenario's axes combine into design points.

An axis sweeps one parameter (:data:`PATHS`, by dotted path) over listed values or over
bounds (its own, else the parameter's range: :func:`axis_bounds`); the ``[design]`` kind
(:data:`DESIGNS`) combines the axes into design points, each a ``{dotted.path: value}``
update of the parameters (:func:`flatten`): a full grid, listed points, or samples of the
unit cube (a Latin hypercube, independent uniform draws, Saltelli's scheme for Sobol'
indices, Morris trajectories) scaled to the bounds, drawn from the scenario's root seed; a
Latin hypercube or Monte Carlo axis may list its values instead (:func:`pick_values`).
:func:`check_design` says how a design and its axes do not fit; :func:`design_points`
expands a fitting one.
The ``[[axes]]`` and ``[design]`` sections themselves are models of the scenario file
(:class:`~simulator.scenario.Axis`, :class:`~simulator.scenario.Design`).

Examples
--------
>>> from simulator.scenario import Scenario
>>> s = Scenario.model_validate({
...     "scenario": {"name": "demo", "seed": 1},
...     "axes": [{"param": "culture.openness", "values": [0.3, 0.7]},
...              {"param": "org.span", "values": [4, 8]}],
... })
>>> design_size(s), design_points(s, Params(), "demo")[1]
(4, {'culture.openness': 0.3, 'org.span': 8})
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from simulator.errors import number
from simulator.params import Params, field_info, set_path, settable_paths
from simulator.seeds import child

if TYPE_CHECKING:
    from simulator.scenario import Axis, Design, Scenario

DESIGNS = ("grid", "points", "lhs", "montecarlo", "sobol", "morris")
"""The design kinds (``[design] kind``)."""
SAMPLED = ("lhs", "montecarlo", "sobol", "morris")
"""The kinds that draw ``samples`` from the scenario's seed."""
DRAWS_VALUES = ("lhs", "montecarlo")
"""The sampled kinds whose axes may list values (any type) to draw from, as well as bounds;
Sobol' and Morris designs need every axis on a numeric range."""
DESIGN_KEYS: dict[str, tuple[str, ...]] = {
    "samples": SAMPLED,
    "levels": ("morris",),
    "second_order": ("sobol",),
}
"""The design kinds each ``[design]`` key is used by (``points``: checked as an error)."""
PATHS: tuple[str, ...] = settable_paths()
"""Every parameter an axis can sweep (a mechanism's fields as ``mechanism.<field>``)."""


def flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested tables or dotted keys -> ``{dotted.path: value}`` (stops at leaf parameters)."""
    leaves = set(PATHS)
    out: dict[str, Any] = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and path not in leaves:
            out.update(flatten(value, path + "."))
        else:
            out[path] = value
    return out


def dotted(updates: Mapping[str, Any]) -> dict[str, Any]:
    """Nested form of dotted updates (for writing TOML or JSON)."""
    out: dict[str, Any] = {}
    for path, value in updates.items():
        set_path(out, path, value)
    return out


def describe_point(point: Mapping[str, Any]) -> str:
    """A design point in words: ``culture.openness = 0.3, org.span = 4``."""
    return ", ".join(f"{k} = {v!r}" for k, v in point.items()) or "no axes"


def design_size(scenario: Scenario) -> int:
    """Number of design points, counted without building them."""
    d, axes = scenario.design, scenario.axes
    dims = len(axes)
    if d.kind == "points":
        return len(d.points)
    if d.kind == "grid":
        return math.prod(len(a.values) if a.values is not None else a.steps or 0 for a in axes)
    if d.kind in DRAWS_VALUES:
        return d.samples
    if d.kind == "sobol":
        return d.samples * (2 * dims + 2 if d.second_order else dims + 2)
    return d.samples * (dims + 1)  # morris


def check_design(scenario: Scenario) -> list[str]:
    """Problems with how the design and the axes fit together (one line each)."""
    kind, axes = scenario.design.kind, scenario.axes
    names = [a.param for a in axes]
    twice = sorted({n for n in names if names.count(n) > 1})
    problems = [f"axes: {n} appears twice; sweep each parameter once" for n in twice]
    if kind == "points":
        if axes:
            problems.append("design.kind = 'points' lists its own points; remove the [[axes]]")
        if not scenario.design.points:
            problems.append("design.kind = 'points' needs points = [{...}, ...]")
    elif scenario.design.points:
        problems.append(f"design.points are only for design.kind = 'points', not {kind!r}")
    if kind in DRAWS_VALUES and not axes:
        problems.append(f"design.kind = {kind!r} needs at least one axis, with bounds or values")
    if kind in ("sobol", "morris"):
        if not axes:
            problems.append(f"design.kind = {kind!r} needs at least one axis with bounds")
        for i, a in enumerate(axes):
            if not is_numeric(a.param):  # (bounds cannot help: said once, here)
                problems.append(
                    f"axes[{i}] ({a.param}): design.kind = {kind!r} draws numbers within "
                    "bounds, and this parameter is not a number: give each of its values an "
                    "arm ([arms.<name>]), or sweep its values = [...] with design.kind = "
                    "'grid', 'lhs' or 'montecarlo'"
                )
            elif a.values is not None:
                problems.append(
                    f"axes[{i}] ({a.param}): design.kind = {kind!r} samples within bounds; "
                    "give bounds = [low, high] instead of values (or neither, for the "
                    "parameter's whole range), or keep the values with design.kind = 'lhs' "
                    "or 'montecarlo'"
                )
    if kind == "grid":
        for i, a in enumerate(axes):
            if a.values is None and a.steps is None:
                problems.append(
                    f"axes[{i}] ({a.param}): a grid over bounds needs steps = k"
                    if a.bounds is not None
                    else f"axes[{i}] ({a.param}): a grid axis needs values = [...], or steps = k "
                    "over its bounds (default: the parameter's range)"
                )
    for i, a in enumerate(axes):
        listed = kind in DRAWS_VALUES and a.values is not None
        repeated = _repeated(a) if kind == "grid" or listed else None
        if repeated:
            problems.append(f"axes[{i}] ({a.param}): {repeated}")
        if a.values is None and not is_numeric(a.param):
            if kind in ("sobol", "morris"):
                continue  # (said above)
            problems.append(f"axes[{i}] ({a.param}): not a number; sweep it with values = [...]")
        elif a.values is None and a.bounds is None and (kind != "grid" or a.steps is not None):
            problem = _range_problem(a)
            if problem:
                problems.append(f"axes[{i}] ({a.param}): {problem}")
    return problems


def _repeated(axis: Axis) -> str | None:
    """Why a grid axis would repeat a design point (a value listed twice, or more steps
    than whole numbers in its bounds), or None."""
    if axis.values is not None:
        seen: list[Any] = []
        for value in axis.values:
            if any(value == v and isinstance(value, bool) == isinstance(v, bool) for v in seen):
                return f"the value {value!r} is listed twice; list each value once"
            seen.append(value)
        return None
    info = field_info(axis.param)
    span = axis_bounds(axis) if axis.steps is not None else None
    if info is None or info.annotation not in (int, int | None) or span is None:
        return None
    if not all(math.isfinite(x) for x in span) or (axis.scale == "log" and span[0] <= 0):
        return None  # (reported elsewhere)
    values = _axis_values(axis)
    if len(set(values)) < len(values):
        return (
            f"steps = {axis.steps} over {number(span[0])} to {number(span[1])} repeats whole"
            f" numbers ({', '.join(map(str, values))}): use at most {len(set(values))} steps,"
            " or list the values"
        )
    return None


def parameter_range(path: str) -> tuple[float, float] | None:
    """A numeric parameter's own closed range ``(low, high)``; None if it is open or unbounded.

    >>> parameter_range("culture.openness")
    (0.0, 1.0)
    >>> parameter_range("people.risk_aversion_mean") is None  # (0, 1), open
    True
    """
    from simulator.paramdoc import bounds

    info = field_info(path)
    if info is None or not is_numeric(path):
        return None
    low, low_open, high, high_open = bounds(info)
    if low is None or high is None or low_open or high_open:
        return None
    return (low, high)


def axis_bounds(axis: Axis) -> tuple[float, float] | None:
    """The range an axis samples (or grids with ``steps``): its ``bounds``, else the swept
    parameter's own range (:func:`parameter_range`); None for an axis of values."""
    if axis.values is not None:
        return None
    return axis.bounds if axis.bounds is not None else parameter_range(axis.param)


def _range_problem(axis: Axis) -> str | None:
    """Why an axis without bounds cannot take its parameter's range (None if it can)."""
    from simulator.paramdoc import allowed_values

    span = parameter_range(axis.param)
    info = field_info(axis.param)
    allowed = allowed_values(info) if info is not None else "?"
    if span is None:
        return f"the parameter's range, {allowed}, is open or unbounded; give bounds = [low, high]"
    if axis.scale == "log" and span[0] <= 0:
        return f"a log scale needs bounds above 0 (the parameter's range is {allowed})"
    return None


def is_numeric(path: str) -> bool:
    """Whether the parameter at a dotted path is a number (``int`` or ``float``, or
    either or None): only numbers have bounds and ranges."""
    info = field_info(path)
    return info is not None and info.annotation in (int, float, int | None, float | None)


def set_by_every_point(scenario: Scenario) -> set[str]:
    """Parameters every listed design point sets (a fixed value of theirs is never used;
    one that some points leave out is their default)."""
    points = [set(flatten(p)) for p in scenario.design.points or ()]
    return set.intersection(*points) if points else set()


def swept_paths(scenario: Scenario) -> set[str]:
    """Parameters that every design point sets: the axes', or every listed point's."""
    return {axis.param for axis in scenario.axes} | set_by_every_point(scenario)


def design_points(scenario: Scenario, base: Params, source: str) -> list[dict[str, Any]]:
    """The design's points as dotted updates (see ``scenarios/README.md``)."""
    d, axes = scenario.design, scenario.axes
    if d.kind == "points":
        return [flatten(p) for p in d.points]
    if d.kind == "grid":
        grids = [_axis_values(a) for a in axes]
        mesh = np.array(np.meshgrid(*[np.arange(len(g)) for g in grids], indexing="ij"))
        combos = mesh.reshape(len(axes), -1).T if axes else np.zeros((1, 0), dtype=int)
        return [
            {a.param: grids[k][i] for k, (a, i) in enumerate(zip(axes, row, strict=True))}
            for row in combos
        ]
    unit = _sample(d, len(axes), np.random.SeedSequence(scenario.scenario.seed))
    columns = [
        pick_values(a.values, unit[:, k], stratified=d.kind == "lhs")
        if a.values is not None
        else [coerce(a, _scale(a, float(u))) for u in unit[:, k]]
        for k, a in enumerate(axes)
    ]
    return [
        {a.param: column[i] for a, column in zip(axes, columns, strict=True)}
        for i in range(len(unit))
    ]


def pick_values(values: Sequence[Any], column: np.ndarray, *, stratified: bool) -> list[Any]:
    """An axis's listed values drawn by a column of the unit cube, one per design point.

    Stratified (a Latin hypercube's column, whose ``n`` points fall one in each of ``n``
    equal strata): the point of rank ``r`` in the column takes value ``floor(r k / n)`` of
    the ``k`` listed, so each value is drawn ``n // k`` or ``n // k + 1`` times (the first
    of the list, and others spread along it, take the extra ones), and the column's order,
    random, says which points draw which value. Else (independent uniform draws): value
    ``floor(u k)``, each with probability ``1 / k``.

    >>> u = np.array([0.9, 0.1, 0.5, 0.3, 0.7])
    >>> pick_values(["a", "b", "c"], u, stratified=True)
    ['c', 'a', 'b', 'a', 'b']
    >>> pick_values(["a", "b", "c"], u, stratified=False)
    ['c', 'a', 'b', 'a', 'c']
    """
    k, n = len(values), len(column)
    if stratified:
        rank = np.argsort(np.argsort(column, kind="stable"), kind="stable")
        index = rank * k // n
    else:
        index = np.minimum((np.asarray(column) * k).astype(np.int64), k - 1)
    return [values[int(i)] for i in index]


def _sample(d: Design, dims: int, root: np.random.SeedSequence) -> np.ndarray:
    """Design points in the unit cube, seeded from the scenario's root (child 'design')."""
    rng = np.random.default_rng(child(root, 2**31 - 1))  # the design stream, apart from runs
    if d.kind == "lhs":
        from scipy.stats import qmc

        return np.asarray(qmc.LatinHypercube(d=dims, seed=rng).random(d.samples))
    if d.kind == "montecarlo":  # (independent uniform draws: the EMA Workbench's Samplers.MC)
        return rng.random((d.samples, dims))
    problem = {
        "num_vars": dims,
        "names": [f"x{i}" for i in range(dims)],
        "bounds": [[0.0, 1.0]] * dims,
    }
    with warnings.catch_warnings():  # SALib's, in Python's two-line form: ours name the key
        warnings.simplefilter("ignore", UserWarning)
        if d.kind == "sobol":
            from SALib.sample import sobol

            drawn = sobol.sample(problem, d.samples, calc_second_order=d.second_order, seed=rng)
        else:
            from SALib.sample import morris

            drawn = morris.sample(problem, d.samples, num_levels=d.levels, seed=rng)
    if d.kind == "sobol" and d.samples & (d.samples - 1):
        low = 1 << (d.samples.bit_length() - 1)
        warnings.warn(
            f"design.samples = {d.samples}: Sobol' points are balanced only for a power of 2"
            f" (here {low} or {2 * low}); the indices converge more slowly",
            UserWarning,
            stacklevel=2,
        )
    if d.kind == "morris" and d.levels % 2:
        warnings.warn(
            f"design.levels = {d.levels}: Morris trajectories are unbiased only for an even"
            f" number of levels (here {d.levels - 1} or {d.levels + 1})",
            UserWarning,
            stacklevel=2,
        )
    return np.asarray(drawn)


def _axis_values(axis: Axis) -> list[Any]:
    if axis.values is not None:
        return list(axis.values)
    assert axis.steps is not None
    return [coerce(axis, _scale(axis, u)) for u in np.linspace(0.0, 1.0, axis.steps)]


def _scale(axis: Axis, u: float) -> float:
    span = axis_bounds(axis)
    assert span is not None
    low, high = span
    if axis.scale == "log":
        return float(np.exp(np.log(low) + u * (np.log(high) - np.log(low))))
    return float(low * (1 - u) + high * u)


def coerce(axis: Axis, value: float) -> Any:
    """Round values of whole-number parameters; keep floats readable."""
    info = field_info(axis.param)
    if info is not None and info.annotation in (int, int | None):
        return round(value)
    return round(value, 12)
