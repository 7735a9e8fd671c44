"""Whether a results folder holds the runs of a scenario, and where two scenarios differ.

A folder's manifest keeps its scenario as run (``scenario``) and as planned (``resolved``,
:meth:`~simulator.plan.Plan.resolved`): a sweep into the folder must plan the same runs
(:func:`same_runs`), or more replications of them (:func:`more_replications`); otherwise it
is refused, naming the differences as the scenario file writes them
(:func:`scenario_differences`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Set
from typing import TYPE_CHECKING, Any

from simulator.errors import SimulatorError

if TYPE_CHECKING:
    from simulator.scenario import Plan


def same_runs(manifest: dict[str, Any], plan: Plan) -> bool:
    """Whether a folder's manifest plans the same runs as ``plan`` (its scenario may differ
    in wording only, :data:`~simulator.plan.WORDING`), as this orgsim plans them."""
    if manifest.get("digest") in plan.digests():
        return True
    theirs = _their_plan(manifest, plan)
    if theirs is None:
        return False
    return manifest["digest"] in theirs.digests() and theirs.digest() == plan.digest()


def more_replications(manifest: dict[str, Any], plan: Plan) -> bool:
    """Whether ``plan`` is the folder's scenario with more replications: a replication's
    seeds do not depend on how many there are, so the runs in the folder are runs of
    ``plan`` too, and the new replications are the runs left to do."""
    theirs = _their_plan(manifest, plan)
    if theirs is None or not same_runs(manifest, theirs):
        return False
    if theirs.replications >= plan.replications:
        return False  # (a folder of another orgsim's plans, or not more of them)
    return runs_of(theirs.resolved()) == runs_of(plan.resolved())


def runs_of(resolved: dict[str, Any]) -> dict[str, Any]:
    """What a resolved scenario's runs are, whatever their number: without the replications
    and the wording (a replication's seeds do not depend on how many there are)."""
    from simulator.plan import WORDING

    header = resolved.get("scenario", {})
    kept = {k: v for k, v in header.items() if k not in {*WORDING, "replications"}}
    return {**resolved, "scenario": kept}


def scenario_differences(
    a: Mapping[str, Any], b: Mapping[str, Any], shown: int = 3, leave: Set[str] = frozenset()
) -> list[str]:
    """Where two resolved scenarios (:meth:`~simulator.plan.Plan.resolved`, as manifests
    keep them) differ, as ``key: a -> b``, the first ``shown`` of them (not the paths in
    ``leave``). Each key is named as a scenario file writes it (:func:`_as_written`): the
    fixed parameters ``params.org.size``, not the plan's ``base.org.size``.

    >>> a = {"scenario": {"steps": 52}, "base": {"org.size": 150, "steps": 52}}
    >>> b = {"scenario": {"steps": 40}, "base": {"org.size": 160, "steps": 40}}
    >>> scenario_differences(a, b)
    ['scenario.steps: 52 -> 40', 'params.org.size: 150 -> 160']
    """
    found: list[str] = []

    def walk(x: Any, y: Any, path: str) -> None:
        if isinstance(x, Mapping) and isinstance(y, Mapping):
            for key in sorted(set(x) | set(y), key=str):
                walk(x.get(key, "(none)"), y.get(key, "(none)"), f"{path}.{key}".lstrip("."))
        elif isinstance(x, list) and isinstance(y, list) and len(x) == len(y):
            for i, (u, v) in enumerate(zip(x, y, strict=True)):
                walk(u, v, f"{path}[{i}]")
        elif path in leave:
            return
        elif isinstance(x, list) and isinstance(y, list):
            found.append(f"{_as_written(path, a, b)}: {len(x)} entries -> {len(y)}")
        elif x != y:
            found.append(f"{_as_written(path, a, b)}: {_brief(x)} -> {_brief(y)}")

    walk(json.loads(json.dumps(a, default=str)), json.loads(json.dumps(b, default=str)), "")
    found = list(dict.fromkeys(found))  # (the header's steps are the plan's too: said once)
    # the header first: a new seed changes every sampled point, whose lines would hide it
    found.sort(key=lambda line: not line.startswith("scenario."))
    return found[:shown] + ([f"{len(found) - shown} more"] if len(found) > shown else [])


CHART_KEYS = {
    "org_chart": "scenario.org_csv",
    "org_chart.people": "scenario.org_csv (its people)",
    "org_chart.sha256": "scenario.org_csv (its contents)",
    "org_chart.ties_sha256": "scenario.ties_csv (its contents)",
}
"""The org chart a plan read, by the keys of the scenario file that name its files."""


def _as_written(path: str, a: Mapping[str, Any], b: Mapping[str, Any]) -> str:
    """A path of a resolved scenario (:meth:`~simulator.plan.Plan.resolved`) as the
    scenario file writes it: the plan's fixed parameters ``base.*`` are ``[params]`` (its
    horizon ``base.steps`` is ``[scenario] steps`` when the header sets it, and the size of
    an org chart's organisation its people), ``design`` is ``design.kind`` and the chart
    read, ``org_chart.*``, is the file named by ``scenario.org_csv`` (or ``ties_csv``)."""
    if path in CHART_KEYS:
        return CHART_KEYS[path]
    if path == "design":
        return "design.kind"
    if not path.startswith("base."):
        return path
    key = path.removeprefix("base.")
    if key == "org.size" and any("org_chart" in r for r in (a, b)):
        return CHART_KEYS["org_chart.people"]
    if key == "steps":
        header = [r.get("scenario", {}).get("steps") is not None for r in (a, b)]
        if all(header):
            return "scenario.steps"
        if any(header):  # (one from the header, the other from [params] or the default)
            return "steps"
    return f"params.{key}"


def _brief(value: Any) -> str:
    """A value of a scenario in a message: strings quoted, long values cut, a key the
    scenario leaves out (None) as ``(none)``."""
    if value is None or value == "(none)":
        text = "(none)"
    else:
        text = repr(value) if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _their_plan(manifest: dict[str, Any], plan: Plan) -> Plan | None:
    """A folder's scenario as this orgsim plans it (None if it cannot), its org chart read
    where ``plan`` has it now (a study folder moved with its chart)."""
    files = None if plan.chart is None else plan.chart.files()
    try:
        return manifest_plan(manifest, files)
    except (KeyError, TypeError, ValueError, SimulatorError):
        return None


def manifest_plan(manifest: dict[str, Any], files: dict[str, str] | None = None) -> Plan:
    """The plan of a folder's manifest; with ``files`` (``org_csv``, ``ties_csv``), its org
    chart read from there instead of where the manifest says it was."""
    from simulator.scenario import parse_scenario

    data = manifest["scenario"]
    if files:
        data = {**data, "scenario": {**data["scenario"], **files}}
    return parse_scenario(data, source="manifest.json")[1]
