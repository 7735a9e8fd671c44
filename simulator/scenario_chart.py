"""The org chart a scenario runs on: ``[scenario] org_csv`` and ``ties_csv``, read for its plan.

An org chart (:class:`~simulator.orgimport.Chart`) gives the organisation's people, levels
and units, so the parameters of a generated organisation's shape (:data:`CHART_SHAPE`, and
with ``ties_csv`` the informal ties', :data:`CHART_TIES`; both: :func:`chart_settings`) do
not apply: setting one anywhere in the scenario is an error. The files are taken from the
scenario file's folder (:func:`~simulator.scenario_file.beside`) and the scenario planned
holds their absolute paths, as a results folder's manifest keeps them (its digest holds
their contents instead, :data:`~simulator.plan.CHART_FILES`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simulator.design import flatten
from simulator.plan import CHART_FILES
from simulator.scenario_file import beside

if TYPE_CHECKING:
    from simulator.orgimport import Chart
    from simulator.scenario_file import Scenario

CHART_SHAPE = ("org.size", "org.span", "org.span_jitter", "org.units")
"""Parameters of a generated organisation's shape, which an org chart replaces."""
CHART_TIES = ("org.lateral_within", "org.lateral_across")
"""Parameters of the drawn informal ties, which a ties table (``ties_csv``) replaces."""


def chart_settings(ties: bool) -> tuple[str, ...]:
    """The parameters an org chart replaces: :data:`CHART_SHAPE`, and with a ties table
    (``ties``) :data:`CHART_TIES` too. A scenario, ``orgsim run`` and ``orgsim compare``
    refuse them on a chart.

    >>> chart_settings(True)[-2:]
    ('org.lateral_within', 'org.lateral_across')
    """
    return (*CHART_SHAPE, *(CHART_TIES if ties else ()))


def read_chart(
    scenario: Scenario,
    base: dict[str, Any],
    arms: dict[str, dict[str, Any]],
    source: str,
    errors: list[str],
) -> tuple[Scenario, Chart | None]:
    """The scenario's org chart, read (its files' paths made absolute in the scenario
    returned, as a results folder's manifest keeps them); problems go to ``errors``.

    Parameters
    ----------
    scenario : Scenario
        A scenario whose header names ``org_csv`` (and maybe ``ties_csv``).
    base, arms : dict
        The fixed parameters and each arm's, as dotted updates: any that sets a parameter
        the chart gives is reported.
    source : str
        The scenario file (relative chart files are taken from its folder); prefixes each line.
    errors : list of str
        Where the problems go, one line each.

    Returns
    -------
    tuple
        The scenario with its chart files' absolute paths, and the chart (None if a file is
        missing or unreadable; the scenario is then returned as given).
    """
    from simulator.orgimport import Chart, OrgChartError

    header = scenario.scenario
    ties = header.ties_csv is not None
    shape = chart_settings(ties)
    where = [("params", base), *((f"arms.{a}", u) for a, u in arms.items())]
    where += [(f"axes[{i}]", {a.param: None}) for i, a in enumerate(scenario.axes)]
    where += [(f"design.points[{i}]", flatten(u)) for i, u in enumerate(scenario.design.points)]
    for place, updates in where:
        for path in [k for k in shape if k in updates]:
            errors.append(
                f"{source}: {place}: {path} does not apply with scenario."
                f"{'ties_csv' if path in CHART_TIES else 'org_csv'} (the org chart"
                " gives it); remove it"
            )
    files = {
        key: beside(source, value)
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
