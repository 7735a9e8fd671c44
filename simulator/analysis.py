"""Analysis of run outcomes: summaries and paired contrasts between arms, their intervals cut
at what an outcome can be (sensitivity indices: :mod:`simulator.sensitivity`).

Pure functions of result tables (pandas in, pandas out); no I/O. Failed runs (``status``
other than ``"ok"``) are counted but never enter a statistic.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtri, stdtrit

from simulator import measures
from simulator.errors import did_you_mean
from simulator.nesting import (
    ORG_COLUMNS,
    cluster_of,
    cluster_stats,
    nested,
    note,
    only_nested,
    org_interval,
    org_of,
)
from simulator.state import EVENTS

Z95 = float(ndtri(0.975))
SUMMARY_METRICS: tuple[str, ...] = (
    "poster",
    "listener",
    "non_user",
    "peak_poster",
    "took_off",
    "t10",
    "t50",
    "t90",
    "deepest_level",
    "top_poster",
    "frontline_poster",
    "reach",
    *EVENTS,
    "leader_attention",
)
"""Outcome columns :func:`summarise` describes by default (those present)."""
OUTCOMES: tuple[str, ...] = measures.OUTCOMES
"""Every outcome of a run (:func:`simulator.metrics.outcome_columns`): a name asked for that
is neither one of these, nor a scenario's own outcome, nor a column of the table is a
mistake, not a metric left out."""
SHARES: frozenset[str] = measures.SHARES
"""Outcomes that are shares (0 to 1); every outcome in :data:`OUTCOMES` is at least 0."""
MILESTONES: tuple[str, ...] = measures.MILESTONES
"""Outcomes in weeks to a milestone: from 0 to the run's horizon (its ``steps``)."""
LEFT_OUT = (
    "only the pairs in which both arms have a value (weeks to a milestone: both reached it);"
    " the runs left out are the slower ones, so the difference can point the wrong way"
)
"""What a contrast of ``n`` of ``pairs`` pairs says (the report, ``orgsim compare``)."""
PAIRED_METRICS: tuple[str, ...] = (
    "poster",
    "peak_poster",
    "t10",
    "t50",
    "reach",
    "cross_unit",
    "posts",
    "criticised",
    "pullbacks",
)


def t95(df: Any) -> Any:
    """The 97.5 % quantile of Student's t with ``df`` degrees of freedom (NaN for ``df <= 0``):
    what ``scipy.stats.t.ppf(0.975, df)`` computes, from the function it calls, so that
    reading results and plotting them do not import ``scipy.stats`` (about 0.5 s)."""
    return stdtrit(df, 0.975)


def t95_half(sd: Any, n: Any) -> Any:
    """Half the width of the 95 % confidence interval of a mean of ``n`` values whose
    standard deviation is ``sd`` (Student's t: ``t95(n - 1) * sd / sqrt(n)``); NaN below two
    values. Arrays broadcast; numbers give a 0-d array.

    >>> round(float(t95_half(1.0, 3)), 4), t95_half([1.0, 1.0], [1, 0]).tolist()
    (2.4841, [nan, nan])
    """
    n = np.asarray(n)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = t95(n - 1) * np.asarray(sd, dtype=float) / np.sqrt(n)
    return np.where(n > 1, half, np.nan)


def name_list(value: str | Sequence[str]) -> list[str]:
    """Column or arm names as a list: one name alone is a list of one (``"poster"`` meant
    ``["poster"]``; as a sequence of characters it was looked up letter by letter). A table
    is refused (its column names would be taken for the names)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, pd.DataFrame) or not isinstance(value, Iterable):
        from simulator.errors import a_type

        raise TypeError(
            "expected a name or a list of names, such as ['model', 'delegate'], not"
            f" {a_type(value)}"
        )
    return list(value)


def arm_list(arms: str | Sequence[str]) -> list[str]:
    """The arms to contrast as a list (:func:`name_list`), each once."""
    names = name_list(arms)
    twice = sorted({a for a in names if names.count(a) > 1})
    if twice:
        shown = names if len(names) <= 8 else [*names[:8], "..."]
        raise ValueError(
            f"arm {', '.join(map(repr, twice))} is listed more than once in {shown!r}: list"
            " each arm once, the baseline first (e.g. results.arms, not the arm column)"
        )
    return names


def known_metrics(
    outcomes: pd.DataFrame, metrics: Sequence[str], offer: Sequence[str] | None = None
) -> list[str]:
    """The metrics that are columns of ``outcomes``; a name that is no outcome at all (a typo
    such as ``"posters"``) is refused, naming the outcomes. Outcomes missing from this table
    (a partial folder) are left out.

    ``offer``: the outcomes a caller takes (the sensitivity indices: the numeric ones), to
    name in the message instead, as ``metric = ...`` (every outcome when it is empty).

    >>> known_metrics(pd.DataFrame({"poster": [0.5]}), ["posters"], offer=["poster"])
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: metric = 'posters': not an outcome; did you mean 'poster'? (the outcomes ...
    """
    known = list(dict.fromkeys([*OUTCOMES, *measures.of_table(outcomes.attrs)]))
    unknown = [m for m in metrics if m not in outcomes.columns and m not in known]
    if unknown and offer is not None:
        takes = list(offer) or known
        near = did_you_mean(unknown[0], takes, cutoff=0.5)
        raise ValueError(
            f"metric = {unknown[0]!r}: not an outcome{f'; did you mean {near!r}?' if near else ''}"
            f" (the outcomes it can take: {', '.join(takes)})"
        )
    if unknown:
        near = did_you_mean(unknown[0], [*known, *map(str, outcomes.columns)])
        hint = f" (did you mean {near!r}?)" if near else ""
        raise ValueError(
            f"no outcome {', '.join(map(repr, unknown))}{hint}: the outcomes are"
            f" {', '.join(known)}, or a column of the table"
        )
    return [m for m in metrics if m in outcomes.columns]


def paired_differences(
    outcomes: pd.DataFrame,
    arms: Sequence[str],
    metrics: Sequence[str] = PAIRED_METRICS,
    *,
    on: Sequence[str] = ("replication",),
) -> pd.DataFrame:
    """Paired differences ``arm - first arm`` of per-run outcomes, replication by replication.

    Parameters
    ----------
    outcomes : DataFrame
        Per-run outcomes with columns ``arm`` and ``replication``.
    arms : sequence of str
        The arms; the first is the baseline.
    metrics : sequence of str
        Outcome columns to compare.
    on : sequence of str
        Columns that identify a pair (unique within an arm); ``("point", "replication")``
        pools the pairs of several design points.

    Returns
    -------
    DataFrame
        One row per arm after the first and metric: ``mean_baseline`` and ``mean_arm`` over
        the pairs used, ``mean_diff``, its 95 % confidence interval ``ci_low``/``ci_high``
        (t distribution; NaN with fewer than two pairs; cut at what a difference of the
        outcome can be: -1 to 1 for a share, minus to plus the horizon for weeks to a
        milestone, see :func:`upper_limits`), ``n`` pairs used (pairs with a NaN
        dropped), ``pairs`` (the pairs in both arms, NaN or not) and the standardized paired
        effect size ``d_z = mean_diff / sd_diff``. For a milestone (``t10``...), ``n`` counts
        the pairs in which both arms reached it: with ``n < pairs`` the difference leaves out
        the slower runs and can point the wrong way (compare how often each arm reached it).
    """
    arms, metrics, on = arm_list(arms), name_list(metrics), name_list(on)
    once_each(outcomes)
    _check_pairs(outcomes, arms, metrics, on)
    return _paired(outcomes, arms, metrics, on)


def _check_pairs(
    outcomes: pd.DataFrame, arms: Sequence[str], metrics: Sequence[str], keys: list[str]
) -> None:
    """Refuse, naming what is wrong and what would do, a table that cannot be paired."""
    missing = [c for c in ("arm", *keys, *metrics) if c not in outcomes.columns]
    if missing:
        raise ValueError(
            f"outcomes have no column {', '.join(map(repr, missing))}; they have"
            f" {', '.join(map(repr, outcomes.columns))}"
        )
    present = list(pd.unique(outcomes["arm"]))
    unknown = [a for a in arms if a not in present]
    if unknown or len(arms) < 2:
        what = f"arm {', '.join(map(repr, unknown))} is not" if unknown else "two arms are"
        raise ValueError(
            f"{what} in the outcomes: pass two or more of {', '.join(map(repr, present))},"
            " the first the baseline"
        )
    for arm in arms:
        runs = outcomes.loc[outcomes["arm"] == arm]
        repeated = runs[keys].duplicated()
        if repeated.any():
            apart = [  # the design point or a swept axis, if one tells the runs apart
                c
                for c in ("point", *axis_columns(runs))
                if c in runs.columns and not runs[[*keys, c]].duplicated().any()
            ]
            hint = (
                f", e.g. on=({', '.join(map(repr, [apart[0], *keys]))})"
                if apart
                else " (such as the parameter that differs between them)"
            )
            first = runs[keys][repeated].iloc[0]
            same = ", ".join(f"{k} {v!r}" for k, v in zip(keys, first, strict=True))
            raise ValueError(
                f"a pair must be unique within an arm, but arm {arm!r} has"
                f" {int(repeated.sum())} more run(s) than pairs ({same} more than once):"
                f" pass on= with the columns that tell its runs apart{hint}"
            )


def paired_runs(
    outcomes: pd.DataFrame,
    baseline: str,
    arm: str,
    metrics: Sequence[str],
    on: Sequence[str] = ("point", "replication"),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The runs of ``arm`` and of ``baseline`` that make pairs, row by row: the runs with
    the same ``on`` values (a design point and replication: they share their random
    numbers) in both arms. Every paired comparison of arms starts here (:func:`contrasts`,
    :func:`paired_differences`, the ``arm - baseline`` rows of
    :func:`simulator.sensitivity.sensitivity`, :func:`simulator.discovery.question`); what
    each does with a missing value (a milestone not reached) is its own.

    Parameters
    ----------
    outcomes : DataFrame
        One row per run, with ``arm`` and the ``on`` columns (unique within an arm: checked
        by :func:`paired_differences`). Pass the finished runs (:func:`ok_runs`) to pair
        only runs that finished in both arms.
    baseline, arm : str
        The arms to pair.
    metrics : sequence of str
        The outcome columns to keep.
    on : sequence of str
        The columns that identify a pair (each arm's runs unique on them, else
        ``ValueError``).

    Returns
    -------
    (DataFrame, DataFrame)
        The baseline's runs and the arm's, indexed by ``on``, with the ``metrics`` columns as
        the table has them (a missing value kept), the same pairs in the same order (the
        baseline's); a run without its pair in the other arm is left out.

    >>> table = pd.DataFrame({"arm": ["a", "a", "b", "b"], "replication": [0, 1, 1, 2],
    ...                       "poster": [0.2, 0.4, 0.5, 0.9]})
    >>> base, other = paired_runs(table, "a", "b", ["poster"], on=["replication"])
    >>> (other - base)["poster"].round(2).to_dict()
    {1: 0.1}
    """
    keys, columns = name_list(on), list(dict.fromkeys(name_list(metrics)))
    base = _by_pair(outcomes[outcomes["arm"] == baseline], baseline, keys, columns)
    return _pair(base, _by_pair(outcomes[outcomes["arm"] == arm], arm, keys, columns))


def _by_pair(runs: pd.DataFrame, arm: str, keys: list[str], columns: list[str]) -> pd.DataFrame:
    """The ``columns`` of one arm's ``runs`` indexed by ``keys`` (unique, else
    ``ValueError``): one side of :func:`paired_runs`."""
    indexed = runs.set_index(keys)[columns]
    if not indexed.index.is_unique:  # (pairs would be matched many to many)
        key = indexed.index[indexed.index.duplicated()][0]
        raise ValueError(
            f"arm {arm!r} has more than one run at {', '.join(keys)} = {key!r}: pair"
            " runs of one attempt each (results.load keeps one per run)"
        )
    return indexed


def _pair(base: pd.DataFrame, other: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows of ``base`` and ``other`` (:func:`_by_pair`) whose keys both have, in the
    baseline's order."""
    both = base.index.intersection(other.index)  # (in the baseline's order)
    return base.loc[both], other.loc[both]


def _paired(
    outcomes: pd.DataFrame,
    arms: Sequence[str],
    metrics: Sequence[str],
    keys: list[str],
    orgs: int | None = None,
) -> pd.DataFrame:
    """:func:`paired_differences` of a table already checked (an arm with no runs left gives
    rows with ``n = 0``); with ``orgs``, the columns of :data:`simulator.nesting.ORG_COLUMNS`
    too (the pairs' organisations: :func:`simulator.nesting.org_of` of ``keys``)."""
    first = outcomes[outcomes["arm"] == arms[0]]
    columns = list(dict.fromkeys(metrics))
    indexed = _by_pair(first, arms[0], keys, columns)  # (once: every arm pairs with it)
    rows = []
    for arm in arms[1:]:
        runs = outcomes[outcomes["arm"] == arm]
        base, other = _pair(indexed, _by_pair(runs, arm, keys, columns))
        for metric in metrics:
            pair = pd.concat([base[metric], other[metric]], axis=1).dropna()
            a, b = (pair.iloc[:, i].to_numpy(dtype=float) for i in (0, 1))
            diff = b - a
            n = len(diff)
            mean = float(diff.mean()) if n else np.nan
            sd = float(diff.std(ddof=1)) if n > 1 else np.nan
            half = float(t95_half(sd, n))
            low, high = mean - half, mean + half
            cut = None
            if measures.kind(metric, outcomes.attrs):  # (an interval past what it can be)
                cut = -_most(first, metric), _most(runs, metric)
                low, high = np.clip([low, high], *cut)
            spread: dict[str, Any] = {}
            if orgs is not None:
                groups, org_sd, org_half = cluster_of(diff, org_of(pair, orgs, index=keys))
                ends = org_interval(mean, org_half, (low, high), cut)
                spread = {"organisations": groups, "org_sd": org_sd}
                spread["org_ci_low"], spread["org_ci_high"] = map(float, ends)
            rows.append(
                {
                    "arm": arm,
                    "baseline": arms[0],
                    "metric": metric,
                    "mean_baseline": float(a.mean()) if n else np.nan,
                    "mean_arm": float(b.mean()) if n else np.nan,
                    "mean_diff": mean,
                    "ci_low": float(low),
                    "ci_high": float(high),
                    "n": n,
                    "pairs": len(base),
                    "d_z": mean / sd if n > 1 and sd > 0 else np.nan,
                    **spread,
                }
            )
    return pd.DataFrame(rows)


# -- what an outcome can be ------------------------------------------------------------------
def horizons(resolved: Mapping[str, Any]) -> dict[str, int]:
    """Each arm's horizon in weeks in a results folder's resolved scenario (its manifest's
    ``resolved``): the arm's own ``steps``, else the scenario's, else the default. Kept in
    ``outcomes.attrs["steps"]``, it is where :func:`upper_limits` cuts weeks to a milestone
    (a swept horizon is the outcomes' ``steps`` column instead).

    >>> horizons({"base": {"steps": 52}, "arms": {"model": {}, "short": {"steps": 26}}})
    {'model': 52, 'short': 26}
    """
    from simulator.params import Params

    default = resolved.get("base", {}).get("steps", Params.model_fields["steps"].default)
    return {
        str(arm): int(updates.get("steps", default))
        for arm, updates in resolved.get("arms", {}).items()
    }


def upper_limits(outcomes: pd.DataFrame, metric: str) -> np.ndarray:
    """Per row of ``outcomes``, the most ``metric`` can be (``inf`` where it is unbounded or
    the bound is not known); every outcome in :data:`OUTCOMES` is at least 0, and so is every
    outcome a scenario defines (``outcomes.attrs["measures"]``).

    It follows the outcome's kind (:data:`simulator.measures.KINDS`): a share (:data:`SHARES`),
    a flag or a score is at most 1. Weeks (to a milestone, :data:`MILESTONES`) are at most the
    run's horizon: its ``steps`` column (a swept horizon), else ``outcomes.attrs["steps"]``
    (weeks, or weeks by arm: :func:`horizons`). A level (``deepest_level``) is at most the
    deepest level: ``outcomes.attrs["levels"]`` (the number of levels of the largest
    organisation, or by arm) less 1.

    >>> table = pd.DataFrame({"arm": ["a", "b"], "t50": [10.0, 30.0]})
    >>> table.attrs["steps"] = {"a": 52, "b": 26}
    >>> upper_limits(table, "t50").tolist(), upper_limits(table, "poster").tolist()
    ([52.0, 26.0], [1.0, 1.0])
    """
    kind = measures.kind(metric, outcomes.attrs)
    if kind in measures.BOUNDED:
        return np.ones(len(outcomes))
    if kind == "weeks":
        return _per_run(outcomes, "steps")
    if kind == "level":
        return _per_run(outcomes, "levels") - 1.0
    return np.full(len(outcomes), np.inf)


def _per_run(outcomes: pd.DataFrame, name: str) -> np.ndarray:
    """Per row: the run's ``name`` from its column, else from ``outcomes.attrs`` (a number
    for every run, or a number by arm); ``inf`` where not known."""
    if name in outcomes.columns:
        values = pd.to_numeric(outcomes[name], errors="coerce").astype("float64")
        return values.fillna(np.inf).to_numpy()
    given = outcomes.attrs.get(name)
    if isinstance(given, Mapping) and "arm" in outcomes.columns:
        by_arm = {str(arm): float(value) for arm, value in given.items()}
        mapped = outcomes["arm"].astype(str).map(by_arm).astype("float64")
        return mapped.fillna(np.inf).to_numpy()
    if isinstance(given, int | float) and not isinstance(given, bool):
        return np.full(len(outcomes), float(given))
    return np.full(len(outcomes), np.inf)


def _most(rows: pd.DataFrame, metric: str) -> float:
    """The most ``metric`` can be in any of ``rows`` (``inf`` for none)."""
    limits = upper_limits(rows, metric)
    return float(limits.max()) if len(limits) else np.inf


# -- summaries -------------------------------------------------------------------------------
def axis_columns(outcomes: pd.DataFrame) -> list[str]:
    """The swept-parameter columns of an outcomes table (dotted parameter paths)."""
    from simulator.scenario import PATHS

    return [c for c in outcomes.columns if c in PATHS]


def once_each(outcomes: pd.DataFrame) -> None:
    """Refuse a sweep's outcomes that hold a run more than once: read straight from the
    Parquet files, a run retried on resume (it failed, or its series file was lost) has a
    row per attempt, which summaries would count twice and pairs could not match."""
    run = ["point", "arm", "replication"]
    if "attempt" not in outcomes or not set(run) <= set(outcomes.columns):
        return
    tries = outcomes.groupby(run)["attempt"].transform("nunique")
    again = outcomes[tries > 1]  # (several folders' runs put together share no attempt)
    if not again.empty:
        first = again.iloc[0]
        attempts = sorted(again.loc[(again[run] == first[run]).all(axis=1), "attempt"].tolist())
        raise ValueError(
            f"the outcomes hold {again[run].drop_duplicates().shape[0]:,} run(s) more than once"
            f" (the first: point {first['point']}, arm {first['arm']!r}, replication"
            f" {first['replication']}, attempts {', '.join(map(str, attempts))}): keep each"
            " run's last attempt, as simulator.results.load does"
        )


def ok_runs(outcomes: pd.DataFrame) -> pd.DataFrame:
    """The finished runs (``status == "ok"``; all rows if there is no ``status`` column)."""
    if "status" not in outcomes:
        return outcomes
    return outcomes[outcomes["status"] == "ok"]


def wilson(successes: Any, n: Any, z: float = Z95) -> tuple[Any, Any]:
    """Wilson score interval of a proportion (arrays broadcast; NaN where ``n`` is 0).

    >>> low, high = wilson(8, 10)
    >>> round(float(low), 4), round(float(high), 4)
    (0.4902, 0.9433)
    """
    k, n = np.asarray(successes, dtype=float), np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        scale = 1.0 + z**2 / n
        centre = (p + z**2 / (2 * n)) / scale
        half = z / scale * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return centre - half, centre + half


def summarise(
    outcomes: pd.DataFrame,
    by: Sequence[str] | None = None,
    metrics: Sequence[str] | None = None,
    arms: Sequence[str] | None = None,
    *,
    orgs: int | None = None,
) -> pd.DataFrame:
    """Describe each outcome metric per design point and arm.

    Parameters
    ----------
    outcomes : DataFrame
        One row per run (:attr:`simulator.results.Results.outcomes`).
    by : sequence of str, optional
        Grouping columns; default ``point``, the swept axes (see :func:`axis_columns`) and
        ``arm``, those present. ``["arm"]`` pools all design points.
    metrics : sequence of str, optional
        Outcome columns to describe (those missing from ``outcomes`` are left out); default
        :data:`SUMMARY_METRICS` and the outcomes the scenario defines (``[outcomes]``, as
        ``outcomes.attrs["measures"]`` of :func:`simulator.results.load` names them).
    arms : sequence of str, optional
        The order of the arms' rows: default the scenario's (the outcomes of
        :func:`simulator.results.load` carry it), else by name.
    orgs : int, optional
        The scenario's ``orgs`` (replication ``r`` ran on the organisation of replication
        ``r mod orgs``: :mod:`simulator.nesting`); default ``outcomes.attrs["orgs"]``,
        else none (every replication has its own organisation).

    Returns
    -------
    DataFrame
        One row per group and metric, sorted by group (arms in ``arms`` order) then metric
        order: the ``by`` columns,
        ``metric``, ``n_ok`` and ``n_failed`` (runs of the group), ``n`` (finished runs with a
        value: for ``t10``/``t50``/``t90`` only the runs that reached the milestone, for
        ``deepest_level`` those in which a level reached 10 % posters),
        ``mean``, ``sd``, the 95 % confidence interval of the mean ``ci_low``/``ci_high`` (t
        distribution, NaN below two values, and cut at what the outcome can be: 0, 1 for a
        share, the horizon for weeks to a milestone, the deepest level for
        ``deepest_level``; see :func:`upper_limits`. With few values, an interval cut at
        both ends says little more than the outcome's range; ``n`` says how few),
        ``median``, ``q10``, ``q90`` and ``interval``
        (``"t"``; ``"wilson"`` for ``took_off``, whose mean is the take-off probability and
        whose interval is the Wilson score interval). Groups whose runs all failed have
        ``n = 0`` and NaN statistics.

        With ``orgs``, ``ci_low``/``ci_high`` are over runs, for the organisations they ran
        on, and ``attrs["notes"]`` says what holds for what (:func:`simulator.nesting.note`).
        Where the rows' runs share organisations in groups (``2 <= orgs < replications``,
        or, in rows that pool several design points, any ``orgs < replications``:
        :func:`simulator.nesting.nested`) four columns follow: ``organisations`` (how many
        the ``n`` values came from: each design point has its own), ``org_sd`` (the
        standard deviation of their means) and ``org_ci_low``/``org_ci_high``, the 95 %
        interval over organisations (:func:`simulator.nesting.cluster_stats`, cut as
        ``ci_low``/``ci_high`` and never narrower: :func:`simulator.nesting.widest`); the
        last three NaN in a row whose values are not from ``2 <= organisations < n``.
    """
    if metrics is None:
        metrics = [*SUMMARY_METRICS, *measures.of_table(outcomes.attrs)]
    metrics = name_list(metrics)
    if by is None:
        keys = [k for k in ("point", *axis_columns(outcomes), "arm") if k in outcomes.columns]
    else:
        keys = name_list(by)
    missing = [k for k in keys if k not in outcomes.columns]
    if missing or not keys:
        what = f"has no column {', '.join(map(repr, missing))}" if missing else "has no arm"
        raise ValueError(
            f"summarise groups by columns of the outcomes, but this table {what}: pass by="
            f" with some of {', '.join(map(repr, outcomes.columns))}"
        )
    once_each(outcomes)
    metrics = known_metrics(outcomes, metrics)
    orgs = orgs if orgs is not None else outcomes.attrs.get("orgs")
    points = 1 if "point" in keys else _points(outcomes)  # (the points a row pools)
    shared = nested(orgs, _replications(outcomes), points)  # (the org columns say something)
    columns = [*keys, "metric", "n_ok", "n_failed", "n", "mean", "sd", "ci_low", "ci_high"]
    columns += ["median", "q10", "q90", "interval", *(ORG_COLUMNS if shared else ())]
    if outcomes.empty:
        return _noted(pd.DataFrame(columns=columns), outcomes, orgs, points)
    ok = outcomes["status"] == "ok" if "status" in outcomes else pd.Series(True, outcomes.index)
    counts = (
        pd.DataFrame({"n_ok": ok, "n_failed": ~ok})
        .join(outcomes[keys])
        .groupby(keys, dropna=False, sort=True)[["n_ok", "n_failed"]]
        .sum()
        .astype(int)
    )
    finished = outcomes[ok]
    org = org_of(finished, orgs) if shared and orgs is not None else None
    parts = []
    for order, metric in enumerate(metrics):
        values = pd.to_numeric(finished[metric].astype("float64"), errors="coerce")
        limits = upper_limits(outcomes, metric)[ok.to_numpy()]
        runs = finished[keys].assign(_v=values, _most=limits)
        grouped = runs.groupby(keys, dropna=False, sort=True)
        group = grouped["_v"]
        table = counts.join(
            pd.DataFrame(
                {
                    "most": grouped["_most"].max(),
                    "n": group.count(),
                    "mean": group.mean(),
                    "sd": group.std(ddof=1),
                    "median": group.median(),
                    "q10": group.quantile(0.1),
                    "q90": group.quantile(0.9),
                }
            )
        )
        n = table["n"].fillna(0).astype(int).to_numpy()
        table["n"] = n
        if org is not None:
            table = table.join(cluster_stats(runs.assign(_org=org), keys, "_v", "_org"))
            table["organisations"] = table["organisations"].fillna(0).astype(int)
        if metric == "took_off":
            low, high = wilson(table["mean"].to_numpy() * n, n)
            table["interval"] = "wilson"
        else:
            half = t95_half(table["sd"].to_numpy(), n)
            low, high = table["mean"].to_numpy() - half, table["mean"].to_numpy() + half
            table["interval"] = "t"
        cut = None
        if measures.kind(metric, outcomes.attrs):  # (an interval past what it can be)
            cut = 0.0, table["most"].fillna(np.inf).to_numpy(dtype=float)
            if metric != "took_off":  # (Wilson's stays within 0 to 1)
                low, high = np.clip(low, *cut), np.clip(high, *cut)
        table["ci_low"], table["ci_high"] = low, high
        if org is not None:
            ends = org_interval(table["mean"], table["org_half"], (low, high), cut)
            table["org_ci_low"], table["org_ci_high"] = ends
        parts.append(table.reset_index().assign(metric=metric, _order=order))
    if not parts:
        return _noted(pd.DataFrame(columns=columns), outcomes, orgs, points)
    frame = pd.concat(parts, ignore_index=True)
    ranks = arm_list(arms if arms is not None else outcomes.attrs.get("arms", []))
    frame["_arm"] = frame["arm"].map({a: i for i, a in enumerate(ranks)}) if "arm" in keys else 0
    by_rank = [k if k != "arm" else "_arm" for k in keys]  # (the groups came sorted by name)
    frame = frame.sort_values([*by_rank, "_order"], kind="stable", na_position="last")
    return _noted(frame[columns].reset_index(drop=True), outcomes, orgs, points)


def _replications(outcomes: pd.DataFrame) -> int:
    """The replications per design point: the most in ``outcomes`` (0 without any)."""
    reps = outcomes["replication"] if "replication" in outcomes else pd.Series(dtype=float)
    return int(reps.max()) + 1 if reps.notna().any() else 0


def _points(outcomes: pd.DataFrame) -> int:
    """The design points of ``outcomes`` (1 without a ``point`` column)."""
    return max(int(outcomes["point"].nunique()), 1) if "point" in outcomes else 1


def _noted(
    frame: pd.DataFrame, outcomes: pd.DataFrame, orgs: int | None, points: int = 1
) -> pd.DataFrame:
    """``frame`` with ``attrs["notes"]`` on what its intervals hold for when its runs share
    organisations (:func:`simulator.nesting.note`, for rows that pool ``points`` design
    points; none without ``orgs``: ``frame`` as it is), and the interval over organisations
    only in the rows where it says something (:func:`simulator.nesting.only_nested`)."""
    if orgs is None:
        return frame
    frame.attrs["notes"] = note(orgs, _replications(outcomes), points)
    return only_nested(frame)


def contrasts(
    outcomes: pd.DataFrame,
    arms: Sequence[str],
    metrics: Sequence[str] = PAIRED_METRICS,
    *,
    pooled: bool = False,
    orgs: int | None = None,
) -> pd.DataFrame:
    """Paired contrasts of every arm against the baseline (the first arm), per design point.

    Runs are paired by ``(point, replication)``: the runs of a pair share their random
    numbers. Failed runs are dropped, and with them their pair (see
    :func:`paired_differences` for the columns). An arm with no runs in ``outcomes`` (partial
    results: not run yet) gets rows with ``n = 0``.

    Parameters
    ----------
    outcomes : DataFrame
        One row per run, with ``point``, ``arm``, ``replication`` (and ``status``).
    arms : sequence of str
        The arms; the first is the baseline.
    metrics : sequence of str
        Outcome columns to compare (those missing are left out).
    pooled : bool
        Pool the pairs of all design points into one contrast per arm and metric instead.
    orgs : int, optional
        The scenario's ``orgs``, as for :func:`summarise`: default
        ``outcomes.attrs["orgs"]``.

    Returns
    -------
    DataFrame
        Per design point (unless ``pooled``): ``point``, the swept axes' values (the design
        point's), then the columns of :func:`paired_differences`; and, when any arm (the
        baseline included) sets a swept parameter itself, ``arm_values``: the values the
        contrasted arm ran at (``a.b = 0.9``; empty for arms that follow the design), with
        ``baseline_values`` likewise when the baseline does.

        With ``orgs``, ``ci_low``/``ci_high`` are over pairs, for the organisations they ran
        on, with ``attrs["notes"]``; and, where pairs share organisations in groups (as in
        :func:`summarise`; pooled, with ``orgs = 1`` too: one organisation per point),
        ``organisations`` (the pairs' organisations: pooled, those of every point),
        ``org_sd`` (the standard deviation of their mean differences) and
        ``org_ci_low``/``org_ci_high`` (the interval over organisations) follow.
    """
    once_each(outcomes)
    orgs = orgs if orgs is not None else outcomes.attrs.get("orgs")
    axes, arms = axis_columns(outcomes), arm_list(arms)
    metrics = known_metrics(outcomes, name_list(metrics))
    missing = [c for c in ("point", "arm", "replication") if c not in outcomes.columns]
    if missing:
        raise ValueError(
            f"contrasts pairs a sweep's runs by point, arm and replication, but these outcomes"
            f" have no column {', '.join(map(repr, missing))}: for runs of one setting use"
            " paired_differences(outcomes, arms, metrics)"
        )
    finished = ok_runs(outcomes)
    empty = ["arm", "baseline", "metric", "mean_baseline", "mean_arm", "mean_diff", "ci_low"]
    empty = [*([] if pooled else ["point", *axes]), *empty, "ci_high", "n", "pairs", "d_z"]
    points = _points(outcomes) if pooled else 1  # (the points a row pools)
    shared = orgs if nested(orgs, _replications(outcomes), points) else None
    empty += ORG_COLUMNS if shared is not None else []
    if len(arms) < 2 or not metrics or finished.empty:
        return _noted(pd.DataFrame(columns=empty), outcomes, orgs, points)
    if pooled:
        pairs = _paired(finished, arms, metrics, ["point", "replication"], shared)
        return _noted(pairs, outcomes, orgs, points)
    design = design_values(finished, arms, axes)
    parts = []
    for point, group in finished.groupby("point", sort=True):
        group.attrs = dict(outcomes.attrs)  # (what upper_limits reads: not every pandas keeps it)
        table = _paired(group, arms, metrics, ["replication"], shared)
        parts.append(table.assign(point=point, **design.get(point, {})))
    frame = pd.concat(parts, ignore_index=True)
    own = _own_values(finished, design, axes)
    if own:
        for column, arm in (("arm_values", frame["arm"]), ("baseline_values", frame["baseline"])):
            values = [own.get(k, "") for k in zip(frame["point"], arm, strict=True)]
            if any(values) or column == "arm_values":
                frame[column] = values
    frame = frame[["point", *axes, *(c for c in frame.columns if c not in ("point", *axes))]]
    return _noted(frame, outcomes, orgs)


def _own_values(
    outcomes: pd.DataFrame, design: dict[Any, dict[str, Any]], axes: Sequence[str]
) -> dict[tuple[Any, str], str]:
    """Per ``(point, arm)`` whose runs are not at the point's values (an arm that sets a
    swept parameter itself): the values it ran at, as ``a.b = 0.9``."""
    from simulator.results import point_label

    if not axes:
        return {}
    ran = outcomes.groupby(["point", "arm"], sort=False)[list(axes)].first().reset_index()
    own = {}
    for point, arm, *values in ran.itertuples(index=False):
        at = design.get(point, {})
        differ = {
            a: v
            for a, v in zip(axes, values, strict=True)
            if not (pd.isna(v) and pd.isna(at.get(a))) and v != at.get(a)
        }
        if differ:
            own[(point, str(arm))] = point_label(differ)
    return own


def design_values(
    outcomes: pd.DataFrame, arms: Sequence[str], axes: Sequence[str]
) -> dict[Any, dict[str, Any]]:
    """Each design point's values of the swept ``axes``, as the arms that follow the design
    were run at: an arm that sets a swept parameter itself has its own value in every row
    (the same at every point), which is not the point's. Per axis, the values are taken
    from the first arm (in ``arms`` order) that does not set it, as outcomes read by
    :func:`simulator.results.load` say (``attrs["overrides"]``), else whose values vary the
    most over the points."""
    overrides: dict[str, list[str]] = outcomes.attrs.get("overrides", {})
    values: dict[Any, dict[str, Any]] = {}
    for axis in axes:
        spread = outcomes.groupby("arm")[axis].nunique(dropna=False)
        follow = [a for a in arms if a in spread.index and axis not in overrides.get(a, [])]
        if not overrides:
            follow = [a for a in follow if spread[a] == spread.max()]
        rows = outcomes[outcomes["arm"] == (follow[0] if follow else arms[0])]
        for point, value in rows.drop_duplicates("point")[["point", axis]].itertuples(index=False):
            values.setdefault(point, {})[axis] = value
    return values
