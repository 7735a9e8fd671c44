"""What each outcome and per-step series measures: one table of names, labels, units and kinds.

The figures read their axis labels here (:func:`simulator.plots.label`), the exports their
units (:func:`simulator.export.unit`), and the analysis what an outcome can be
(:func:`simulator.analysis.upper_limits`, from its :attr:`Measure.kind`). An outcome a
scenario defines (``[outcomes]``, :mod:`simulator.custom_outcomes`) has a measure too, which
a results folder's outcomes carry in ``outcomes.attrs["measures"]`` (:func:`of_table`).

Only the standard library and :mod:`simulator.state` are imported: the command line reads
this table without numba, pandas or scipy.

Examples
--------
>>> MEASURES["t50"].label, MEASURES["t50"].unit, MEASURES["t50"].kind
('Weeks to 50 % posting', 'weeks', 'weeks')
>>> find("posts_first_q", {"posts_first_q": {"label": "Posts, weeks 0-13", "unit": "posts",
...                                         "kind": "count"}}).kind
'count'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from simulator.state import EVENTS, SOURCES, STAGES

KINDS: dict[str, str] = {
    "share": "a share, 0 to 1",
    "flag": "true or false (its mean over runs is a probability), 0 to 1",
    "score": "a mean score over people, 0 to 1",
    "weeks": "weeks, 0 to the run's horizon (its steps)",
    "level": "a hierarchy level, 0 (top) to the deepest",
    "count": "a count or total, 0 or more",
}
"""The kinds of measure and what each can be (every measure is at least 0)."""
BOUNDED = ("share", "flag", "score")
"""Kinds at most 1 (:func:`simulator.analysis.upper_limits`)."""
MILESTONE_SHARES = (0.1, 0.5, 0.9)
"""Shares of posters: the first week each is reached is the outcome ``t10``, ``t50``,
``t90`` (:data:`MILESTONES`)."""
MILESTONES: tuple[str, ...] = tuple(f"t{round(share * 100)}" for share in MILESTONE_SHARES)
"""Outcomes in weeks to a milestone: from 0 to the run's horizon (its ``steps``)."""


@dataclass(frozen=True)
class Measure:
    """One outcome or per-step series: its ``name`` (the column), ``label`` (as figures show
    it), ``unit`` (as exports write it), ``kind`` (one of :data:`KINDS`) and which way is
    ``better`` for the spread of posting (``"higher"``, ``"lower"``, or ``""`` where no
    way is clearly better: listeners, people made aware, attention, adoptions by source)."""

    name: str
    label: str
    unit: str
    kind: str
    better: str = ""

    def as_dict(self) -> dict[str, str]:
        """The measure as JSON-friendly data (how ``outcomes.attrs`` carries it)."""
        return asdict(self)


def plain_label(name: str) -> str:
    """The label of a measure no one has written one for: ``lapses`` -> ``"Lapses"``."""
    return name.replace("_", " ").capitalize()


def _table() -> dict[str, Measure]:
    share, people = "share, 0 to 1", "people"
    rows = [
        ("poster", "Share posting", share, "share", "higher"),
        ("listener", "Share listening", share, "share"),
        ("non_user", "Share of non-users", share, "share", "lower"),
        ("peak_poster", "Peak share posting", share, "share", "higher"),
        (
            "took_off",
            "Take-off probability (10 % posting)",
            "true or false; its mean over runs is the probability",
            "flag",
            "higher",
        ),
        *((m, f"Weeks to {m[1:]} % posting", "weeks", "weeks", "lower") for m in MILESTONES),
        ("top_poster", "Share of top level posting", share, "share", "higher"),
        ("frontline_poster", "Share of front line posting", share, "share", "higher"),
        # (levels count down from 0 at the top: deeper is further spread)
        ("deepest_level", "Deepest level with 10 % posting", "level (0 = top)", "level", "higher"),
        ("reach", "Reach (followers of posters)", "followers", "count", "higher"),
        ("posts", "Posts", "posts", "count", "higher"),
        ("engaged", plain_label("engaged"), "posters", "count", "higher"),
        ("criticised", "Criticism events", "posters", "count", "lower"),
        ("lapses", plain_label("lapses"), people, "count", "lower"),
        ("pullbacks", "Pull-backs", people, "count", "lower"),
        ("aware", plain_label("aware"), people, "count"),
        ("cross_unit", "Cross-unit views of posts", "views", "count", "higher"),
        ("comfort", plain_label("comfort"), "0 to 1, mean over people", "score"),
        ("leader_attention", "Attention share to leaders", share, "share"),
        *((f"adopted_{s}", plain_label(f"adopted_{s}"), people, "count") for s in SOURCES),
    ]
    return {row[0]: Measure(*row) for row in rows}


MEASURES: dict[str, Measure] = _table()
"""Every built-in outcome and per-step series, by name."""
OUTCOMES: tuple[str, ...] = (
    *STAGES,
    "peak_poster",
    *MILESTONES,
    "took_off",
    "deepest_level",
    "top_poster",
    "frontline_poster",
    "reach",
    *EVENTS,
    "leader_attention",
    *(f"adopted_{source}" for source in SOURCES),
)
"""Every built-in outcome of a run, in the order of
:func:`simulator.metrics.outcome_columns`."""
SERIES: tuple[str, ...] = (*STAGES, *EVENTS, "reach", "comfort")
"""Per-step series a scenario can record and define outcomes on (adoptions by source are
always outcomes)."""
SHARES: frozenset[str] = frozenset(
    name for name in OUTCOMES if MEASURES[name].kind in ("share", "flag")
)
"""Built-in outcomes that are shares (0 to 1, shown as percentages)."""


def of_table(attrs: Mapping[Any, Any]) -> dict[str, Measure]:
    """The measures of the outcomes a scenario defines, as a table's ``attrs["measures"]``
    carries them (:func:`simulator.results.load` puts them there)."""
    given = attrs.get("measures") or {}
    return {str(name): Measure(**{"name": str(name), **dict(m)}) for name, m in given.items()}


def find(name: str, custom: Mapping[str, Any] | None = None) -> Measure | None:
    """The measure called ``name``: a scenario's own (``custom``, as :func:`of_table` reads
    it, or measures by name) first, else a built-in one; None if neither."""
    if custom and name in custom:
        found = custom[name]
        return found if isinstance(found, Measure) else Measure(**{"name": name, **dict(found)})
    return MEASURES.get(name)


def kind(name: str, attrs: Mapping[Any, Any] | None = None) -> str | None:
    """The kind of the outcome ``name`` (a table's ``attrs`` holding the scenario's own
    outcomes); None for a column that is no outcome."""
    own = (attrs or {}).get("measures") or {}
    if name in own:
        return str(dict(own[name])["kind"])
    return MEASURES[name].kind if name in OUTCOMES else None


def in_percent(name: str, custom: Mapping[str, Any] | None = None) -> bool:
    """Whether ``name`` is shown as a percentage (a difference in percentage points): a
    measure whose kind is at most 1 (:data:`BOUNDED`), a scenario's own (``custom``, as
    :func:`find` takes it) or a built-in one.

    >>> in_percent("poster"), in_percent("t50"), in_percent("w4", {"w4": MEASURES["poster"]})
    (True, False, True)
    """
    found = find(name, custom)
    return found is not None and found.kind in BOUNDED


def label(name: str, custom: Mapping[str, Any] | None = None) -> str:
    """A readable label for an outcome or series column."""
    found = find(name, custom)
    return found.label if found is not None else plain_label(name)


__all__ = [
    "BOUNDED",
    "KINDS",
    "MEASURES",
    "MILESTONES",
    "MILESTONE_SHARES",
    "OUTCOMES",
    "SERIES",
    "SHARES",
    "Measure",
    "find",
    "in_percent",
    "kind",
    "label",
    "of_table",
    "plain_label",
]
