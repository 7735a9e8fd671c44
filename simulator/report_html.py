"""HTML pieces that every section of the report uses: text escaped, a number in its
measure's unit (:func:`number`), a figure with its caption, and the figures that a section
of the page shows rather than the Figures list (:data:`SECTION_FIGURES`).
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from simulator.measures import in_percent
from simulator.report_data import Figured, ReportData

SECTION_FIGURES = {
    "forest": "contrasts",
    "sensitivity": "sensitivity",
    "sensitivity_difference": "sensitivity",
    "who_adopts": "people",
}
"""Figures shown in their own section of the page rather than under Figures."""


def escape(value: Any) -> str:
    """``value`` as text for HTML (``&``, ``<``, ``>`` and quotes escaped)."""
    return html.escape(str(value))


def number(
    value: Any, metric: str, diff: bool = False, custom: Mapping[str, Any] | None = None
) -> str:
    """A number for a table: a share, flag or score as a percentage (points for
    differences), by the measure's kind (:func:`simulator.measures.in_percent`; a scenario's
    own outcomes: ``custom``, as ``outcomes.attrs["measures"]`` carries them)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return escape(value)
    if v != v:  # NaN
        return "–"
    sign = "+" if diff and v > 0 else ""
    if in_percent(metric, custom):
        return f"{sign}{100 * v:.1f}" + (" pp" if diff else " %")
    if abs(v) >= 1000:
        return f"{sign}{v:,.0f}"
    return f"{sign}{v:.3g}"


def figure_html(fig: Figured) -> str:
    """A rendered figure as an HTML ``<figure>``: the PNG as a data URI, the caption below."""
    return (
        f'<figure><img src="{fig.data_uri}" alt="{escape(fig.caption)}">'
        f"<figcaption>{escape(fig.caption)}</figcaption></figure>"
    )


def section_figures(data: ReportData, section: str) -> str:
    """The figures that ``section`` of the page shows (:data:`SECTION_FIGURES`), as HTML."""
    return "".join(figure_html(f) for f in data.figures if SECTION_FIGURES.get(f.name) == section)
