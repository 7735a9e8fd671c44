"""Replications nested in organisations (``[scenario] orgs = k``): which organisation a run
used, intervals over organisations, and what a sweep's results speak for.

With ``orgs = k``, replication ``r`` at design point ``p`` runs on the organisation (and
delegates) built from the seed of ``(p, r mod k)``: each design point has its own ``k``
organisations, and the replications that share one are not independent draws of
organisations. An interval over runs then holds for these ``k`` organisations (run noise:
people and dynamics redrawn on them); an interval over organisations holds for
organisations like these. :func:`simulator.analysis.summarise` and
:func:`~simulator.analysis.contrasts` keep the first as ``ci_low``/``ci_high`` and add the
second where it says something (:func:`nested`, :func:`only_nested`; :func:`cluster_stats`
and :func:`widest`: ``organisations``, ``org_sd``, ``org_ci_low``, ``org_ci_high``), with a
note (:func:`note`) on which is which;
:func:`simulator.robustness.robustness` resamples organisations; the sensitivity noise is
measured across the organisations' means (:func:`org_of`).

Pure functions of result tables; no I/O.

References
----------
Cameron, A. C., & Miller, D. L. (2015). A practitioner's guide to cluster-robust
inference. Journal of Human Resources 50(2), 317-372.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

ORG_COLUMNS: tuple[str, ...] = ("organisations", "org_sd", "org_ci_low", "org_ci_high")
"""The columns a summary or contrast gains when its runs share organisations."""


def org_count(manifest: Mapping[str, Any]) -> int | None:
    """The scenario's ``orgs`` as a results folder's manifest records it (None: not set,
    every replication has its own organisation).

    >>> org_count({"scenario": {"scenario": {"orgs": 2}}}), org_count({})
    (2, None)
    """
    orgs = manifest.get("scenario", {}).get("scenario", {}).get("orgs")
    return None if orgs is None else int(orgs)


def scenario_row(manifest: Mapping[str, Any]) -> tuple[str, str] | None:
    """The report's Scenario-table row on organisations (plain text; None without
    ``orgs``): how many per design point, and what the intervals hold for.

    >>> scenario_row({"replications": 9, "scenario": {"scenario": {"orgs": 2}}})[1]
    ... # doctest: +NORMALIZE_WHITESPACE
    '2 per design point, each point its own (replication r runs on organisation r mod 2):
    intervals over runs hold for these organisations; over organisations: org_ci columns'
    """
    orgs = org_count(manifest)
    if orgs is None:
        return None
    replications = int(manifest.get("replications", orgs))
    if orgs == 1:
        said = "1 per design point, each point its own: the results speak for that organisation"
    elif not nested(orgs, replications):
        said = f"{orgs} per design point: one per replication, as without orgs"
    else:
        said = (
            f"{orgs} per design point, each point its own (replication r runs on organisation"
            f" r mod {orgs}): intervals over runs hold for these organisations; over"
            " organisations: org_ci columns"
        )
    return "Organisations", said


def nested(orgs: int | None, replications: int, points: int = 1) -> bool:
    """Whether the runs of a row pooling ``points`` design points (one: a per-point table)
    share organisations in groups of more than one but not all in one: ``2 <=``
    organisations ``<`` runs, the organisations being ``points * min(orgs, replications)``
    of ``points * replications`` runs (then runs vary both between and within
    organisations, and an interval over organisations says something one over runs does
    not). Pooled over points, ``orgs = 1`` is nested too: one organisation per point.

    >>> nested(2, 4), nested(1, 4), nested(4, 4), nested(1, 4, points=2), nested(1, 1, 3)
    (True, False, False, True, False)
    """
    if orgs is None:
        return False
    return 2 <= points * min(orgs, replications) < points * replications


def only_nested(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (a summary or contrast with :data:`ORG_COLUMNS`) with ``org_sd``,
    ``org_ci_low`` and ``org_ci_high`` NaN in the rows whose ``n`` values do not come from
    ``2 <= organisations < n`` organisations: below two there is no spread between
    organisations, and with one value per organisation the interval over organisations is
    the one over runs (``ci_low``/``ci_high``).

    >>> frame = pd.DataFrame({"n": [4, 4, 4], "organisations": [1, 2, 4], "org_sd": 1.0,
    ...                       "org_ci_low": 0.0, "org_ci_high": 2.0})
    >>> only_nested(frame)["org_ci_low"].tolist()
    [nan, 0.0, nan]
    """
    if "organisations" not in frame or frame.empty:
        return frame
    counts = frame["organisations"].to_numpy(dtype=float)
    blank = ~((counts >= 2) & (counts < frame["n"].to_numpy(dtype=float)))
    frame.loc[blank, ["org_sd", "org_ci_low", "org_ci_high"]] = np.nan
    return frame


def org_of(runs: pd.DataFrame, orgs: int, index: Sequence[str] = ()) -> np.ndarray:
    """Per row of ``runs`` (or of its ``index`` levels, such as pairs indexed by
    ``("point", "replication")``), a number for the organisation the run used:
    ``point * orgs + replication mod orgs`` (the point 0 when there is no ``point``).

    >>> runs = pd.DataFrame({"point": [0, 0, 0, 1], "replication": [0, 1, 2, 0]})
    >>> org_of(runs, 2).tolist()
    [0, 1, 0, 2]
    """

    def column(name: str) -> np.ndarray | None:
        if name in index:
            return np.asarray(runs.index.get_level_values(name))
        return runs[name].to_numpy() if name in runs.columns else None

    replication = column("replication")
    if replication is None:
        raise ValueError(
            f"orgs = {orgs}: the runs need a 'replication' column to tell which organisation"
            " each used (replication r used organisation r mod orgs)"
        )
    point = column("point")
    base = 0 if point is None else point.astype("int64") * orgs
    return np.asarray(base + replication.astype("int64") % orgs, dtype="int64")


def cluster_stats(frame: pd.DataFrame, keys: list[str], value: str, org: str) -> pd.DataFrame:
    """Per group of ``keys``, the mean of ``value`` over the organisations ``org`` its
    values came from: ``organisations`` (how many, NaN values left out), ``org_sd`` (the
    standard deviation of the organisations' means) and ``org_half``, half the width of a
    95 % cluster-robust interval of the group's mean (NaN below two organisations).

    The interval is centred on the mean of all the group's values, with the cluster-robust
    variance ``G / (G - 1) * sum_g (sum of the residuals in g)^2 / n^2`` of ``G``
    organisations and ``n`` values and Student's t with ``G - 1`` degrees of freedom
    (Cameron & Miller 2015, CR1). When every organisation has as many values it is the t
    interval of the ``G`` organisations' means; with one value per organisation, the t
    interval of the values.

    >>> runs = pd.DataFrame({"g": ["a"] * 4, "v": [1.0, 3.0, 5.0, 7.0], "o": [0, 1, 0, 1]})
    >>> row = cluster_stats(runs, ["g"], "v", "o").iloc[0]
    >>> int(row["organisations"]), round(float(row["org_sd"]) ** 2, 3)
    (2, 2.0)
    >>> round(float(row["org_half"]), 3)
    12.706
    """
    from simulator.analysis import t95

    have = frame.loc[frame[value].notna(), [*keys, org, value]]
    group = have.groupby(keys, dropna=False, sort=True)
    mean = group[value].transform("mean")
    per_org = (
        have.assign(_r=have[value] - mean)
        .groupby([*keys, org], dropna=False, sort=True)
        .agg(_mean=(value, "mean"), _r=("_r", "sum"))
    )
    by = per_org.groupby(level=list(range(len(keys))), dropna=False, sort=True)
    n = group[value].count()
    g = by.size().reindex(n.index, fill_value=0).to_numpy(dtype=float)
    squares = (per_org["_r"] ** 2).groupby(level=list(range(len(keys))), dropna=False).sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        variance = g / (g - 1) * squares.reindex(n.index).to_numpy() / n.to_numpy() ** 2
        half = t95(g - 1) * np.sqrt(variance)
    return pd.DataFrame(
        {
            "organisations": g.astype(int),
            "org_sd": by["_mean"].std(ddof=1).reindex(n.index).to_numpy(),
            "org_half": np.where(g > 1, half, np.nan),
        },
        index=n.index,
    )


def cluster_of(values: np.ndarray, org: np.ndarray) -> tuple[int, float, float]:
    """:func:`cluster_stats` of one group: ``(organisations, org_sd, org_half)`` of
    ``values`` (no NaN) from the organisations ``org``.

    >>> cluster_of(np.array([1.0, 3.0, 5.0, 7.0]), np.array([0, 1, 0, 1]))[:2]
    (2, 1.4142135623730951)
    """
    if len(values) == 0:
        return 0, np.nan, np.nan
    row = cluster_stats(pd.DataFrame({"g": 0, "v": values, "o": org}), ["g"], "v", "o")
    first = row.iloc[0]
    return int(first["organisations"]), float(first["org_sd"]), float(first["org_half"])


def widest(run_ci: tuple[Any, Any], org_ci: tuple[Any, Any]) -> tuple[np.ndarray, np.ndarray]:
    """The interval over organisations as reported: the ``org_ci`` ends widened to hold the
    interval over runs ``run_ci`` (NaN where ``org_ci`` is). Organisations add their
    differences to the runs' noise, so an interval over organisations narrower than the one
    over runs is chance in the few organisations' means (two organisations give a
    variance of one degree of freedom), not information.

    >>> [end.tolist() for end in widest(([1.0, 2.0], [5.0, 6.0]), ([0.0, 3.0], [4.0, 5.0]))]
    [[0.0, 2.0], [5.0, 6.0]]
    """
    low, high = (np.asarray(end, dtype=float) for end in run_ci)
    org_low, org_high = (np.asarray(end, dtype=float) for end in org_ci)
    return np.fmin(org_low, low) + 0 * org_low, np.fmax(org_high, high) + 0 * org_high


def org_interval(
    mean: Any, half: Any, run_ci: tuple[Any, Any], cut: tuple[Any, Any] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The interval over organisations as reported: ``mean`` plus and minus ``half``
    (:func:`cluster_stats`' ``org_half``), cut at ``cut`` (what the outcome can be, as the
    interval over runs is; None: not cut) and held to be no narrower than ``run_ci``
    (:func:`widest`). Numbers or arrays.

    >>> [end.tolist() for end in org_interval(0.5, 0.75, (0.2, 0.8), cut=(0.0, 1.0))]
    [0.0, 1.0]
    """
    low = np.asarray(mean, dtype=float) - np.asarray(half, dtype=float)
    high = np.asarray(mean, dtype=float) + np.asarray(half, dtype=float)
    if cut is not None:
        low, high = np.clip(low, *cut), np.clip(high, *cut)
    return widest(run_ci, (low, high))


def note(orgs: int | None, replications: int, points: int = 1) -> list[str]:
    """What the intervals of a summary or contrast of runs that share organisations hold
    for (none without ``orgs``); ``replications``: per design point; ``points``: how many
    design points a row pools (one: a table per point; several: a contrast over all points).

    >>> note(1, 4)[0][:60]
    'orgs = 1: the replications of a design point all ran on one '
    >>> note(1, 4, points=2)[0][:64]
    'orgs = 1, pooled over 2 design points: each point ran on its own'
    """
    if orgs is None:
        return []
    if not nested(orgs, replications, points):
        if orgs == 1:
            return [
                "orgs = 1: the replications of a design point all ran on one organisation (its"
                " people and dynamics redrawn), so every interval is over runs on it and the"
                " results speak for that organisation, not for organisations in general; each"
                " design point has its own, so a difference between points includes their"
                " organisations' differences"
            ]
        return [
            f"orgs = {orgs}: every replication ran on its own organisation, as without orgs:"
            " the intervals are over organisations"
        ]
    if orgs == 1:
        return [
            f"orgs = 1, pooled over {points} design points: each point ran on its own"
            " organisation (its replications all on it), so ci_low/ci_high are over runs:"
            f" they hold for these {points} organisations. org_ci_low/org_ci_high are over"
            f" the {points} points' organisations (cluster-robust, t with organisations - 1"
            " degrees of freedom, never narrower than ci_low/ci_high): they hold for"
            " organisations like these at points like these, and are wide when the points"
            " are few; org_sd is the spread of the organisations' means, which includes"
            " the points' differences"
        ]
    pooled = f", pooled over {points} design points" if points > 1 else ""
    return [
        f"orgs = {orgs}{pooled}: the replications of a design point share {orgs}"
        f" organisations (replication r ran on organisation r mod {orgs}; each point has its"
        " own), so they are not independent draws of organisations. ci_low/ci_high are over"
        f" runs: they hold for these {points * orgs} organisations."
        " org_ci_low/org_ci_high are over organisations (cluster-robust, t with"
        " organisations - 1 degrees of freedom, never narrower than ci_low/ci_high): they"
        " hold for organisations like these, and are wide when the organisations are few;"
        " org_sd is the spread of the organisations' means"
    ]
