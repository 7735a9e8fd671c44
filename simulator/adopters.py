"""Who adopts, and when: the people table (``[record] people = true``) summed up per arm.

Three questions, each answered per arm with the runs of all design points pooled (as the
report's figure by level pools them):

- *how deep*: the share of people posting at the horizon (``final_stage``) by role (top,
  executive, middle, frontline, and people without reports) and by hierarchy level
  (:func:`posting_shares`);
- *when*: the median and 10-90 % of the first week as a poster (``first_poster``) by
  level, among those who became posters, pooled over the runs (:func:`first_weeks`);
- *through whom*: the main source of each first adoption (``source``, docs/ODD.md 7.7) as
  shares of the adoptions (:func:`source_shares`).

A share is taken within each run, and each run is one unit: the mean over the runs with a
95 % interval of Student's t (:func:`simulator.analysis.t95_half`; none below two runs), cut at
0 and 1. A run with no one in a group (a role the organisation lacks, a level it does not
reach, no adoption at all) has no share there and is left out of that group's mean; ``n``
says how many runs count. Pure functions of tables: each groups by ``arm``, so a table of
one arm (``results.read_people(NEEDED, arm=...)``) gives that arm's rows as the whole table
does (:func:`summary`; the report reads a large folder so, arm by arm).

Examples
--------
Two runs of three people: a top leader, a frontline leader and someone without reports.

>>> import pandas as pd
>>> people = pd.DataFrame({
...     "point": 0, "arm": "model", "replication": [0, 0, 0, 1, 1, 1],
...     "level": [0, 1, 2] * 2, "role": ["top", "frontline", None] * 2,
...     "final_stage": ["poster", "poster", "listener", "poster", "non_user", "poster"],
...     "first_poster": [1.0, 3.0, None, 1.0, None, 5.0],
...     "source": ["assigned", "leader", None, "assigned", None, "peer"],
... })
>>> print(posting_shares(people, "role")[["group", "n", "mean", "ci_low"]])
        group  n  mean  ci_low
0         top  2   1.0     1.0
1   frontline  2   0.5     0.0
2  no reports  2   0.5     0.0
>>> print(first_weeks(people)[["group", "n", "median", "q10", "q90"]])
   group  n  median  q10  q90
0      0  2     1.0  1.0  1.0
1      1  1     3.0  3.0  3.0
2      2  1     5.0  5.0  5.0
>>> sources = source_shares(people)  # (of 2 and of 2 adoptions: 1/2 and 0/2 from a leader)
>>> dict(zip(sources["group"], sources["mean"]))  # doctest: +NORMALIZE_WHITESPACE
{'assigned': 0.5, 'leader': 0.25, 'peer': 0.25, 'delegate': 0.0, 'guideline': 0.0,
 'spontaneous': 0.0}
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from simulator.analysis import t95_half
from simulator.people import NO_REPORTS  # (the role column's group of those without reports)
from simulator.selectors import ROLES
from simulator.state import SOURCES

NEEDED: tuple[str, ...] = ("level", "role", "final_stage", "first_poster", "source")
"""The columns of the people table that :func:`summary` reads (beside the run's key)."""
RUN: list[str] = ["point", "arm", "replication"]
"""The columns that name a run: each run is one unit of an interval."""
ROLE_ORDER: tuple[str, ...] = (*ROLES, NO_REPORTS)
"""The roles in the order of the tables, from the top down."""
TABLES: tuple[str, ...] = ("role", "level", "first_week", "source")
"""The parts of :func:`summary`, in its order (its ``table`` column)."""
COLUMNS: list[str] = [
    *("arm", "table", "group", "n", "people"),
    *("mean", "ci_low", "ci_high", "median", "q10", "q90"),
]
"""The columns of :func:`summary` (``people_summary.csv``)."""


def posting_shares(people: pd.DataFrame, by: Literal["role", "level"]) -> pd.DataFrame:
    """The share of people posting at the horizon per arm and role (or level).

    Parameters
    ----------
    people : DataFrame
        Rows of the people table (:meth:`simulator.results.Results.read_people`) with
        ``point``, ``arm``, ``replication``, ``final_stage`` and ``by``.
    by : {"role", "level"}
        Group by role (:data:`ROLE_ORDER`; an empty role is :data:`NO_REPORTS`) or by
        hierarchy level (0 = top).

    Returns
    -------
    DataFrame
        A row per arm and group (arms as they come, groups in order): ``arm``, ``table``
        (``by``), ``group``, ``n`` (runs with someone in the group), ``people`` (people in
        the group per run, the mean over those runs), ``mean`` (of the runs' shares
        posting), ``ci_low`` and ``ci_high`` (its 95 % interval, NaN below two runs).
    """
    # (as objects: a categorical role, as a notebook may make it, takes no new value)
    group = people["role"].astype(object).fillna(NO_REPORTS) if by == "role" else people["level"]
    posting = people["final_stage"].eq("poster").astype(float)
    per_run = (
        people[RUN]
        .assign(group=group.to_numpy(), posting=posting.to_numpy())
        .groupby([*RUN, "group"], sort=False)["posting"]
        .agg(people="size", share="mean")
        .reset_index()
    )
    return _over_runs(per_run, by)


def first_weeks(people: pd.DataFrame) -> pd.DataFrame:
    """The first week as a poster per arm and level, among those who became posters.

    Parameters
    ----------
    people : DataFrame
        Rows of the people table with ``point``, ``arm``, ``replication``, ``level`` and
        ``first_poster`` (NaN: never a poster; 0: an initial poster).

    Returns
    -------
    DataFrame
        A row per arm and level with a poster: ``arm``, ``table`` (``"first_week"``),
        ``group`` (the level), ``n`` (posters, pooled over the runs), ``people`` (posters
        per run, the mean over all the arm's runs), ``median``, ``q10`` and ``q90`` of
        their first weeks (linear interpolation, as :func:`simulator.analysis.summarise`).
    """
    runs = people[RUN].drop_duplicates().groupby("arm", sort=False).size()
    posters = people[people["first_poster"].notna()]
    weeks = posters.groupby(["arm", "level"], sort=False)["first_poster"]
    quantiles = {"median": 0.5, "q10": 0.1, "q90": 0.9}
    table = pd.DataFrame(
        {"n": weeks.size(), **{k: weeks.quantile(q) for k, q in quantiles.items()}}
    )
    table = table.reset_index().rename(columns={"level": "group"})
    table["people"] = table["n"] / table["arm"].map(runs).to_numpy()
    return _sorted(table.assign(table="first_week"), None)


def source_shares(people: pd.DataFrame) -> pd.DataFrame:
    """The main source of first adoption (:data:`simulator.state.SOURCES`) as shares of the
    adoptions of each run, per arm.

    Parameters
    ----------
    people : DataFrame
        Rows of the people table with ``point``, ``arm``, ``replication`` and ``source``
        (empty: never adopted).

    Returns
    -------
    DataFrame
        A row per arm and source (every source, in order): ``arm``, ``table``
        (``"source"``), ``group``, ``n`` (runs with an adoption), ``people`` (adoptions from
        the source per run, the mean over those runs), ``mean`` (of the runs' shares),
        ``ci_low`` and ``ci_high``. A run's shares add up to 1, and so do their means.
    """
    adopted = people[people["source"].notna()]
    counts = adopted.groupby([*RUN, "source"], sort=False).size().unstack(fill_value=0)
    counts = counts.reindex(columns=list(SOURCES), fill_value=0)  # (every source, in order)
    shares = counts.div(counts.sum(axis=1), axis=0)
    per_run = pd.DataFrame({"people": counts.stack(), "share": shares.stack()})
    per_run.index.names = [*RUN, "group"]
    return _over_runs(per_run.reset_index(), "source")


def summary(people: pd.DataFrame, arms: Sequence[str] | None = None) -> pd.DataFrame:
    """All of the above in one table (``people_summary.csv``): :func:`posting_shares` by
    role and by level, :func:`first_weeks` and :func:`source_shares`.

    Parameters
    ----------
    people : DataFrame
        Rows of the people table with the run's key and the columns :data:`NEEDED`.
    arms : sequence of str, optional
        The order of the arms (the scenario's); default as they come.

    Returns
    -------
    DataFrame
        :data:`COLUMNS`: a row per arm, part (``table``: :data:`TABLES`) and group; the
        shares have ``mean``, ``ci_low`` and ``ci_high``, the first weeks ``median``,
        ``q10`` and ``q90`` (the others NaN). No rows for no people.
    """
    if people.empty:
        return pd.DataFrame(columns=COLUMNS)
    parts = [
        posting_shares(people, "role"),
        posting_shares(people, "level"),
        first_weeks(people),
        source_shares(people),
    ]
    table = pd.concat([p.reindex(columns=COLUMNS) for p in parts if not p.empty])
    order = list(arms) if arms is not None else list(dict.fromkeys(people["arm"]))
    rank = table["arm"].map({a: i for i, a in enumerate(order)})
    table = table.assign(_rank=rank).sort_values("_rank", kind="stable")
    return table.drop(columns="_rank").reset_index(drop=True)


def group_order(table: str, groups: Iterable[object]) -> list[object]:
    """The groups of one part of :func:`summary` (``table``: one of :data:`TABLES`) in the
    order of its rows: roles (:data:`ROLE_ORDER`) and sources as listed, levels by value.

    >>> group_order("role", ["no reports", "top"]), group_order("level", [3, 0, 2])
    (['top', 'no reports'], [0, 2, 3])
    """
    named = {"role": ROLE_ORDER, "source": SOURCES}.get(table)
    values = list(dict.fromkeys(groups))
    return sorted(values) if named is None else [g for g in named if g in values]  # type: ignore[type-var]


def _over_runs(per_run: pd.DataFrame, table: str) -> pd.DataFrame:
    """Per arm and group, the mean of the runs' ``share`` with its 95 % t interval (cut at
    0 and 1; NaN below two runs) and the mean of their ``people``."""
    grouped = per_run.groupby(["arm", "group"], sort=False)
    shares = grouped["share"]
    out = pd.DataFrame(
        {
            "n": shares.count(),
            "mean": shares.mean(),
            "sd": shares.std(),
            "people": grouped["people"].mean(),
        }
    )
    n = out["n"].to_numpy()
    half = t95_half(out["sd"].to_numpy(), n)
    out["ci_low"] = np.clip(out["mean"] - half, 0.0, 1.0)
    out["ci_high"] = np.clip(out["mean"] + half, 0.0, 1.0)
    out = out.drop(columns="sd").reset_index().assign(table=table)
    return _sorted(out, None if table == "level" else ROLE_ORDER if table == "role" else SOURCES)


def _sorted(table: pd.DataFrame, order: Sequence[str] | None) -> pd.DataFrame:
    """``table``'s rows by arm (in the order they come) and then by group: in ``order``, or
    by value (levels)."""
    arms = {a: i for i, a in enumerate(dict.fromkeys(table["arm"]))}
    rank = {g: i for i, g in enumerate(order or ())}
    groups = table["group"] if order is None else table["group"].map(rank)
    at = np.lexsort((groups.to_numpy(), table["arm"].map(arms).to_numpy()))
    return table.iloc[at].reset_index(drop=True)


__all__ = [
    "COLUMNS",
    "NEEDED",
    "NO_REPORTS",
    "ROLE_ORDER",
    "RUN",
    "TABLES",
    "first_weeks",
    "group_order",
    "posting_shares",
    "source_shares",
    "summary",
]
