"""The run shown as one tidy table, for a spreadsheet (the page's Export CSV).

One row per arm and week played, from week 0 (the initial state) to the week shown, with the
columns ``orgsim export`` writes for a sweep's ``series`` table, named as it names them
(:mod:`simulator.export`; its ``README.txt`` gives each one's unit): ``step`` (weeks), the
stage shares ``non_user``, ``listener`` and ``poster`` (0 to 1), then the week's other
figures (``posts``, ``engaged``, ``criticised``, ...). The setup is in columns too, the same
on every row of a run, so that a table pasted below another stays readable: ``preset``,
``arm`` (its leader strategy) and ``seed`` lead (replication 0 of ``orgsim compare --seed
SEED`` on the rows' arms and parameters is the same run, bit for bit); the trainer's org
chart (``org_csv``, ``ties_csv``) follows when there is one; the parameters the page shows,
and any other the room set, close the row, named by their dotted paths as ``orgsim params``
lists them. No comment line: a spreadsheet reads the first line as the header.

Examples
--------
>>> from simulator.params import Params
>>> from simulator.app.paired import PairedRun
>>> run = PairedRun.start(Params().with_updates({"org.size": 80, "steps": 5}), seed=2).step(3)
>>> table = run_table(run, preset="modeling_vs_delegation")
>>> len(table), list(table.columns[:7])
(8, ['preset', 'arm', 'seed', 'step', 'non_user', 'listener', 'poster'])
>>> csv_name(run, "modeling_vs_delegation")
'orgsim-modeling_vs_delegation-to-week3.csv'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from simulator.app.controls import WORKSHOP, current
from simulator.app.orgfile import fixed_paths
from simulator.app.paired import PairedRun
from simulator.state import STAGES

LEAD = ("preset", "arm", "seed")
"""The columns that say which run a row is from."""


def parameter_columns(run: PairedRun, settings: Sequence[str] = ()) -> list[str]:
    """The parameters written: the page's controls (:data:`~simulator.app.controls.WORKSHOP`)
    and ``settings`` (the room's others), but those that do not apply on the run's org chart
    (``org.size``, the chart's people, stays)."""
    fixed = set(fixed_paths(run.chart)) - {"org.size"}
    paths = [p for p in (*WORKSHOP, *settings) if p not in fixed and p != "leaders.strategy"]
    return list(dict.fromkeys(paths))


def run_table(
    run: PairedRun, preset: str = "", settings: Sequence[str] = (), week: int | None = None
) -> pd.DataFrame:
    """Both arms' weekly figures from week 0 to ``week`` (default: ``run.week``), with the
    setup in columns.

    Parameters
    ----------
    run : PairedRun
        The run shown (not stepped while this reads it: the page holds its lock).
    preset : str
        The preset the room chose (its ``preset`` column).
    settings : sequence of str
        Dotted paths of parameters to write besides the page's controls (the room's typed
        settings).
    week : int, optional
        The last week written (the week the page showed when it offered the file), at most
        ``run.week``.

    Returns
    -------
    pandas.DataFrame
        ``week + 1`` rows per arm, the left arm's first; columns as the module says.
    """
    last = run.week if week is None else min(week, run.week)
    frames = []
    paths = parameter_columns(run, settings)
    for k, model in enumerate(run.models):
        series = model.series()
        series = series[(series["replication"] == 0) & (series["step"] <= last)]
        lead: dict[str, Any] = {"preset": preset, "arm": run.arms[k], "seed": run.seed}
        if run.chart is not None:
            lead["org_csv"] = Path(run.chart.path).name
            if run.chart.ties_path is not None:
                lead["ties_csv"] = Path(run.chart.ties_path).name
        figures = [c for c in series.columns if c not in ("step", "replication", *STAGES)]
        frame = series[["step", *STAGES, *figures]].reset_index(drop=True)
        for name, value in reversed(lead.items()):
            frame.insert(0, name, value)
        for path in paths:
            frame[path] = _cell(current(model.params, path))
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _cell(value: Any) -> Any:
    """A parameter's value as one spreadsheet cell (a list as its text)."""
    return value if isinstance(value, str | int | float | bool) else str(value)


def run_csv(
    run: PairedRun, preset: str = "", settings: Sequence[str] = (), week: int | None = None
) -> bytes:
    """:func:`run_table` as CSV bytes (UTF-8, a header line, comma-separated)."""
    text: str = run_table(run, preset, settings, week).to_csv(index=False)
    return text.encode("utf-8")


def csv_name(run: PairedRun, preset: str) -> str:
    """The file's name: the preset, the org chart's (if any) and the last week in it."""
    parts = ["orgsim", preset]
    if run.chart is not None:
        parts.append(re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(run.chart.path).stem))
    return "-".join(parts) + f"-to-week{run.week}.csv"
