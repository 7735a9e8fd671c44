"""The trainer's own org chart in the workshop (``orgsim app --org-csv FILE [--ties-csv FILE]``).

The command reads and checks the tables before the server starts (:func:`read_chart`: the
errors of :mod:`simulator.orgimport`, naming the file, row, column, value and what is
allowed), then hands their paths to the page through the environment
(:data:`ORG_CSV`, :data:`TIES_CSV`), as Solara hands it the app's name; each browser tab's
session runs both arms on that chart (:func:`opened_chart`, read once per server process).

With a chart the organisation is the table's people: the parameters that shape a generated
organisation do not apply, nor, with a ties table, those that draw informal ties
(:func:`fixed_paths`). The page hides their controls and refuses them when typed; a preset
that sets one (``zappos``'s 1,500 people) still sets its other parameters.

Examples
--------
>>> import pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "org.csv").write_text("id,manager_id\\nceo,\\na,ceo\\nb,ceo\\n")
>>> _ = (folder / "ties.csv").write_text("source,target\\na,b\\n")
>>> chart = read_chart(folder / "org.csv", folder / "ties.csv")
>>> chart_line(chart)
'org chart: org.csv (3 people), informal ties: ties.csv (1 ties)'
>>> fixed_paths(chart)[-2:]  # the shape's, and with a ties table the informal ties'
('org.lateral_within', 'org.lateral_across')
>>> _ = (folder / "bad.csv").write_text("id,manager_id\\nceo,\\na,boss\\n")
>>> read_chart(folder / "bad.csv")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
simulator.csvtable.OrgChartError: .../bad.csv, row 3, column manager_id: unknown manager 'boss'...
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import numpy as np

from simulator.app.controls import PAGE_LIMITS, value_text
from simulator.csvtable import OrgChartError
from simulator.orgimport import Chart
from simulator.params import Params
from simulator.scenario_chart import CHART_SHAPE, chart_settings
from simulator.sweep_runs import caught

ORG_CSV = "ORGSIM_APP_ORG_CSV"
"""Environment variable holding the org table's path for the page (set by ``orgsim app``)."""
TIES_CSV = "ORGSIM_APP_TIES_CSV"
"""Environment variable holding the ties table's path (with :data:`ORG_CSV` only)."""


def read_chart(
    org_csv: str | os.PathLike[str], ties_csv: str | os.PathLike[str] | None = None
) -> Chart:
    """The org chart (and its informal ties) the workshop runs on, checked as a run would use it.

    Raises :class:`~simulator.csvtable.OrgChartError` naming the file, row, column, value and
    what is allowed, also for a chart larger than the page takes (``PAGE_LIMITS``)."""
    chart = Chart.read(Path(org_csv))
    if ties_csv is not None:
        chart = chart.with_ties(Path(ties_csv))
    most = int(PAGE_LIMITS["org.size"])
    if chart.n > most:
        raise OrgChartError(
            chart.path,
            f"{chart.n:,} people: the workshop page takes at most {most:,} (it stays"
            " interactive); 'orgsim run' and 'orgsim compare' take the chart at any size",
        )
    chart.org(Params().org, np.random.default_rng(0))  # builds (the runs draw their own)
    return chart


def to_environment(org_csv: str | None, ties_csv: str | None = None) -> None:
    """Set (or clear) the chart's paths for the page, as absolute paths."""
    for key, path in ((ORG_CSV, org_csv), (TIES_CSV, ties_csv)):
        if path is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = os.path.abspath(path)


def opened_chart() -> tuple[Chart | None, str]:
    """The chart named by the environment (None if none), and a message if it cannot be read
    (the page then runs on a generated organisation and shows the message)."""
    return _read_once(os.environ.get(ORG_CSV) or None, os.environ.get(TIES_CSV) or None)


@functools.cache
def _read_once(org_csv: str | None, ties_csv: str | None) -> tuple[Chart | None, str]:
    if org_csv is None:
        return None, ""
    try:  # (its warnings were said in the terminal by 'orgsim app')
        _, chart = caught(read_chart, org_csv, ties_csv)
    except OrgChartError as err:
        return None, f"{err} (the page runs on a generated organisation)"
    return chart, ""


def fixed_paths(chart: Chart | None) -> tuple[str, ...]:
    """The parameters that do not apply on ``chart`` (none without a chart)."""
    if chart is None:
        return ()
    return chart_settings(ties=chart.lateral is not None)


def chart_line(chart: Chart) -> str:
    """What the setup panel says in place of the organisation's shape controls."""
    line = f"org chart: {Path(chart.path).name} ({chart.n:,} people)"
    if chart.ties_path is not None and chart.lateral is not None:
        line += f", informal ties: {Path(chart.ties_path).name} ({len(chart.lateral):,} ties)"
    return line


def refused(chart: Chart, path: str, value: object) -> str:
    """Why a setting of ``path`` (one of :func:`fixed_paths`) is refused on ``chart``."""
    made = "people, managers and units" if path in CHART_SHAPE else "informal ties"
    source = chart.path if path in CHART_SHAPE else chart.ties_path
    return (
        f"{path} = {value_text(value)} does not apply with an org chart: the organisation's {made}"
        f" are the table's ({Path(source or chart.path).name})"
    )
