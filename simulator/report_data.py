"""What a sweep's report shows, gathered from a results folder (:func:`analyse`): the summary,
the paired contrasts per design point and pooled, the sensitivity indices where the design
allows them, notes on what was left out, and the figures once rendered (:class:`Figured`).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from simulator.analysis import PAIRED_METRICS, contrasts, summarise
from simulator.design import DRAWS_VALUES
from simulator.measures import of_table
from simulator.results import Results, partial_note
from simulator.sensitivity import SensitivityError, sensitivity

if TYPE_CHECKING:
    from simulator.report_people import WhoAdopts

CONTRAST_METRICS: tuple[str, ...] = (*PAIRED_METRICS, "took_off")
"""Outcomes contrasted between arms (``took_off``: a difference in take-off probability)."""


@dataclass
class Figured:
    """A figure rendered for the report."""

    name: str
    caption: str
    png: bytes

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass
class ReportData:
    """Everything the HTML page shows."""

    results: Results
    summary: pd.DataFrame
    contrasts: pd.DataFrame
    pooled: pd.DataFrame
    sensitivity: pd.DataFrame | None
    figures: list[Figured] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    created_utc: str = ""
    people: WhoAdopts | None = None  # ([record] people; set by write_report, as figures are)

    @property
    def counts(self) -> dict[str, int]:
        """Runs planned, finished (ok), failed and not run (:meth:`Results.counts`)."""
        return self.results.counts()


run_counts = Results.counts
"""A folder's runs planned, finished, failed and not run (:meth:`Results.counts`)."""
partial_results = partial_note
"""The report's ``Partial results`` banner (:func:`simulator.results.partial_note`)."""


def analyse(results: Results) -> ReportData:
    """The tables of the report (arms in scenario order), and notes on what was skipped."""
    arms = results.arms
    outcomes = results.outcomes
    notes: list[str] = []
    summary = _arm_order(summarise(outcomes), arms)
    metrics = [*CONTRAST_METRICS, *of_table(outcomes.attrs)]  # (and the scenario's own)
    paired = _arm_order(contrasts(outcomes, arms, metrics), arms)
    pooled = _arm_order(contrasts(outcomes, arms, metrics, pooled=True), arms)
    table: pd.DataFrame | None = None
    try:
        table = sensitivity(results)
    except SensitivityError as err:  # too few points: said for a sample, as a grid has no such aim
        if design_kind(results.manifest) in DRAWS_VALUES:
            notes.append(f"No sensitivity indices: {err}")
    except ValueError as err:  # an unfinished design cannot be analysed
        notes.append(f"No sensitivity indices: {err}")
    if table is not None:
        notes += table.attrs.get("notes", [])
        table = _arm_order(table, arms)
    created = datetime.now(UTC).isoformat(timespec="seconds")
    return ReportData(results, summary, paired, pooled, table, notes=notes, created_utc=created)


def design_kind(manifest: dict[str, Any]) -> str:
    """The design's kind (grid, points, lhs, sobol or morris)."""
    kind = manifest.get("resolved", {}).get("design")
    return str(kind or manifest.get("scenario", {}).get("design", {}).get("kind", "grid"))


def index_method(table: pd.DataFrame, kind: str) -> str:
    """The method of a sensitivity table's indices (the design's, if the table is empty)."""
    if not table.empty and "method" in table:
        return str(table["method"].iloc[0])
    return kind if kind in ("sobol", "morris") else "rbd_fast"


def _arm_order(frame: pd.DataFrame, arms: list[str]) -> pd.DataFrame:
    """Rows in scenario arm order (stable otherwise)."""
    if frame.empty or "arm" not in frame:
        return frame
    rank = {arm: i for i, arm in enumerate(arms)}
    order = frame["arm"].map(lambda a: rank.get(a, len(rank)))
    keys = ["point"] if "point" in frame else []
    ranked = frame.assign(_rank=order)
    ranked = ranked.sort_values([*keys, "_rank"], kind="stable")
    out = ranked.drop(columns="_rank").reset_index(drop=True)
    out.attrs = frame.attrs
    return out
