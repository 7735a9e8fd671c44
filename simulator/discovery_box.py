"""The box scenario discovery found (:class:`Discovery`), in words and as JSON.

PRIM (:mod:`simulator.discovery_prim`) returns the peeling trajectory and the box taken
from it; :class:`Discovery` holds them with the question asked, says which box was taken and
why, and shapes it for the terminal (:meth:`Discovery.table`) and for ``box.json``
(:meth:`Discovery.to_dict`). Shares are written as the reports write them (``35.4 %``),
values as the scenario files do (``true``, ``0.35``, ``open``).
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from simulator.discovery_question import Question, _show


@dataclass
class Discovery:
    """The box PRIM found for a :class:`Question`, and the trajectory it was chosen on.

    Attributes
    ----------
    question : Question
    trajectory : DataFrame
        A row per box on the peeling (then pasting) trajectory, box 0 holding every run:
        ``coverage`` (the share of the runs where the condition holds that are in the box),
        ``density`` (the share of the box's runs where it holds), ``mass`` (the box's share
        of all runs), ``n`` (its runs), ``k`` (those where the condition holds), ``res_dim``
        (parameters restricted).
    chosen : int
        The box taken (a row of ``trajectory``).
    threshold : float
        The density asked for.
    reached : bool
        Whether the chosen box reaches it (else it is the densest box).
    limits : DataFrame
        A row per varying parameter, the restricted ones first: ``parameter``, ``kind``
        (``number`` or ``category``), ``restricted``, ``low``/``high`` (the box's range) and
        ``swept_low``/``swept_high`` (the values run), or for a category ``in_box`` and
        ``swept`` (lists), and ``qp_low``/``qp_high``: PRIM's quasi-p-values of each side of
        the restriction (Bryant & Lempert 2010: a one-sided binomial test of the density with
        that side's limit removed; NaN for a side not restricted; a category's is in
        ``qp_low``).
    settings : dict
        The Workbench's version and PRIM's settings.
    notes : list of str
        The question's notes, and restrictions that are not significant.
    prim_box : ema_workbench.analysis.prim.PrimBox
        The Workbench's box, the chosen one selected (``show_pairs_scatter()``, ``resample()``).
    """

    question: Question
    trajectory: pd.DataFrame
    chosen: int
    threshold: float
    reached: bool
    limits: pd.DataFrame
    settings: dict[str, Any]
    notes: list[str]
    prim_box: Any = field(repr=False)

    @property
    def box(self) -> dict[str, Any]:
        """The chosen box's statistics."""
        row = self.trajectory.loc[self.chosen].to_dict()
        return {
            "box": self.chosen,
            "coverage": float(row["coverage"]),
            "density": float(row["density"]),
            "mass": float(row["mass"]),
            "n": int(row["n"]),
            "k": int(row["k"]),
            "restricted": int(row["res_dim"]),
        }

    @property
    def why(self) -> str:
        """Which box was taken, and why."""
        last, t = len(self.trajectory) - 1, _pct(self.threshold)
        if not self.reached:
            return (
                f"no box on the trajectory (boxes 0-{last}) reaches density {t}: box"
                f" {self.chosen}, the densest, is shown (lower the threshold to accept a box this"
                " dense, or ask a condition the swept parameters decide more sharply)"
            )
        if self.chosen == 0:
            return (
                f"box 0, every {self.question.unit[:-1]}, already has density {t} or more: the"
                " condition holds nearly everywhere without any restriction (raise the threshold"
                " for a region where it holds more often)"
            )
        return (
            f"box {self.chosen} of boxes 0-{last} on the peeling trajectory: of those with"
            f" density {t} or more, the one with the highest coverage"
        )

    def table(self) -> str:
        """The box as text: the question, the box's statistics and each parameter's range."""
        q, b, unit = self.question, self.box, self.question.unit
        rows, holds = len(q.y), int(q.y.sum())
        lines = [
            f"PRIM on {q.source or 'the results'}: {q}",
            f"  {rows:,} {unit}; the condition holds for {holds:,} ({_pct(holds / rows, 1)})",
            *textwrap.wrap(self.why, 92, initial_indent="  ", subsequent_indent="    "),
            f"  coverage {_pct(b['coverage'], 1):>6}  ({b['k']:,} of the {holds:,} {unit} where it"
            " holds are in the box)",
            f"  density  {_pct(b['density'], 1):>6}  ({b['k']:,} of the {b['n']:,} {unit} in"
            " the box)",
            f"  mass     {_pct(b['mass'], 1):>6}  ({b['n']:,} of {rows:,} {unit})",
            "",
        ]
        grid = [("parameter", "box", "swept", "qp low", "qp high")]
        for r in self.limits.to_dict("records"):
            if r["kind"] == "number":
                box = _range(r)
                swept = f"{_show(r['swept_low'])} - {_show(r['swept_high'])}"
            else:
                box = ", ".join(map(_show, r["in_box"])) if r["restricted"] else "any"
                swept = ", ".join(map(_show, r["swept"]))
            grid.append((r["parameter"], box, swept, _qp(r["qp_low"]), _qp(r["qp_high"])))
        widths = [max(len(row[i]) for row in grid) for i in range(5)]
        for row in grid:
            cells = [
                c.ljust(w) if i < 3 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            ]
            lines.append("  " + "  ".join(cells).rstrip())
        for note in self.notes:
            lines += textwrap.wrap(
                f"note: {note}", 92, initial_indent="  ", subsequent_indent="    "
            )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """The question, method, chosen box, limits, notes and trajectory, JSON-ready."""
        q = self.question
        limits = [{k: _plain(v) for k, v in r.items()} for r in self.limits.to_dict("records")]
        return {
            "question": {
                "results": q.source,
                "condition": str(q.condition),
                "arm": q.arm,
                "baseline": q.baseline,
                "values": "arm - baseline, pair by pair" if q.baseline else "each run's outcomes",
                "unit": q.unit,
                "rows": len(q.y),
                "holds": int(q.y.sum()),
            },
            "method": {"algorithm": "PRIM", **self.settings, "choice": self.why},
            "box": {**self.box, "reached_threshold": self.reached},
            "limits": limits,
            "notes": list(self.notes),
            "trajectory": [
                {k: _plain(v) for k, v in r.items()}
                for r in self.trajectory.reset_index().to_dict("records")
            ],
        }


def _range(r: Mapping[Any, Any]) -> str:
    """A number's range in the box: ``0.2 - 0.5``, ``>= 0.2``, ``<= 0.5`` or ``any``."""
    low, high = r["low"] != r["swept_low"], r["high"] != r["swept_high"]
    if low and high:
        return f"{_show(r['low'])} - {_show(r['high'])}"
    if low or high:
        return f">= {_show(r['low'])}" if low else f"<= {_show(r['high'])}"
    return "any"


def _pct(share: float, decimals: int = 0) -> str:
    """A share as the reports write it: ``35.4 %``."""
    return f"{100 * share:.{decimals}f} %"


def _qp(value: float) -> str:
    return "" if value is None or np.isnan(value) else f"{value:.2g}"


def _plain(value: Any) -> Any:
    """``value`` as JSON holds it (numpy scalars as Python's, NaN as null)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
