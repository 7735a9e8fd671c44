"""Analysis of run outcomes: summaries, paired contrasts between arms, sensitivity indices.

Pure functions of result tables (pandas in, pandas out); no I/O. Failed runs (``status``
other than ``"ok"``) are counted but never enter a statistic.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy.special import ndtri, stdtrit

from simulator.state import EVENTS

if TYPE_CHECKING:
    from simulator.results import Results

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
SENSITIVITY_METRICS: tuple[str, ...] = ("poster", "peak_poster", "t10", "t50", "reach", "posts")
"""Outcome columns :func:`sensitivity` analyses by default."""

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


def _names(value: str | Sequence[str]) -> list[str]:
    """Column or arm names as a list: one name alone is a list of one (``"poster"`` meant
    ``["poster"]``; as a sequence of characters it was looked up letter by letter)."""
    return [value] if isinstance(value, str) else list(value)


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
        (t distribution; NaN with fewer than two pairs), ``n`` pairs used (pairs with a NaN
        dropped) and the standardized paired effect size ``d_z = mean_diff / sd_diff``.
    """
    arms, metrics, on = _names(arms), _names(metrics), _names(on)
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


def _paired(
    outcomes: pd.DataFrame, arms: Sequence[str], metrics: Sequence[str], keys: list[str]
) -> pd.DataFrame:
    """:func:`paired_differences` of a table already checked (an arm with no runs left gives
    rows with ``n = 0``)."""
    base = outcomes[outcomes["arm"] == arms[0]].set_index(keys)
    rows = []
    for arm in arms[1:]:
        other = outcomes[outcomes["arm"] == arm].set_index(keys)
        for metric in metrics:
            pair = pd.concat([base[metric], other[metric]], axis=1, join="inner").dropna()
            a, b = (pair.iloc[:, i].to_numpy(dtype=float) for i in (0, 1))
            diff = b - a
            n = len(diff)
            mean = float(diff.mean()) if n else np.nan
            sd = float(diff.std(ddof=1)) if n > 1 else np.nan
            half = float(t95(n - 1)) * sd / np.sqrt(n) if n > 1 else np.nan
            rows.append(
                {
                    "arm": arm,
                    "baseline": arms[0],
                    "metric": metric,
                    "mean_baseline": float(a.mean()) if n else np.nan,
                    "mean_arm": float(b.mean()) if n else np.nan,
                    "mean_diff": mean,
                    "ci_low": mean - half,
                    "ci_high": mean + half,
                    "n": n,
                    "d_z": mean / sd if n > 1 and sd > 0 else np.nan,
                }
            )
    return pd.DataFrame(rows)


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
    metrics: Sequence[str] = SUMMARY_METRICS,
) -> pd.DataFrame:
    """Describe each outcome metric per design point and arm.

    Parameters
    ----------
    outcomes : DataFrame
        One row per run (:attr:`simulator.results.Results.outcomes`).
    by : sequence of str, optional
        Grouping columns; default ``point``, the swept axes (see :func:`axis_columns`) and
        ``arm``, those present. ``["arm"]`` pools all design points.
    metrics : sequence of str
        Outcome columns to describe (those missing from ``outcomes`` are left out).

    Returns
    -------
    DataFrame
        One row per group and metric, sorted by group then metric order: the ``by`` columns,
        ``metric``, ``n_ok`` and ``n_failed`` (runs of the group), ``n`` (finished runs with a
        value: for ``t10``/``t50``/``t90`` only the runs that reached the milestone),
        ``mean``, ``sd``, the 95 % confidence interval of the mean ``ci_low``/``ci_high`` (t
        distribution; NaN below two values), ``median``, ``q10``, ``q90`` and ``interval``
        (``"t"``; ``"wilson"`` for ``took_off``, whose mean is the take-off probability and
        whose interval is the Wilson score interval). Groups whose runs all failed have
        ``n = 0`` and NaN statistics.
    """
    metrics = _names(metrics)
    if by is None:
        keys = [k for k in ("point", *axis_columns(outcomes), "arm") if k in outcomes.columns]
    else:
        keys = _names(by)
    missing = [k for k in keys if k not in outcomes.columns]
    if missing or not keys:
        what = f"has no column {', '.join(map(repr, missing))}" if missing else "has no arm"
        raise ValueError(
            f"summarise groups by columns of the outcomes, but this table {what}: pass by="
            f" with some of {', '.join(map(repr, outcomes.columns))}"
        )
    once_each(outcomes)
    metrics = [m for m in metrics if m in outcomes.columns]
    columns = [*keys, "metric", "n_ok", "n_failed", "n", "mean", "sd", "ci_low", "ci_high"]
    columns += ["median", "q10", "q90", "interval"]
    if outcomes.empty:
        return pd.DataFrame(columns=columns)
    ok = outcomes["status"] == "ok" if "status" in outcomes else pd.Series(True, outcomes.index)
    counts = (
        pd.DataFrame({"n_ok": ok, "n_failed": ~ok})
        .join(outcomes[keys])
        .groupby(keys, dropna=False, sort=True)[["n_ok", "n_failed"]]
        .sum()
        .astype(int)
    )
    finished = outcomes[ok]
    parts = []
    for order, metric in enumerate(metrics):
        values = pd.to_numeric(finished[metric].astype("float64"), errors="coerce")
        group = finished[keys].assign(_v=values).groupby(keys, dropna=False, sort=True)["_v"]
        table = counts.join(
            pd.DataFrame(
                {
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
        if metric == "took_off":
            low, high = wilson(table["mean"].to_numpy() * n, n)
            table["interval"] = "wilson"
        else:
            with np.errstate(invalid="ignore"):
                half = t95(n - 1) * table["sd"].to_numpy() / np.sqrt(n)
            half = np.where(n > 1, half, np.nan)
            low, high = table["mean"].to_numpy() - half, table["mean"].to_numpy() + half
            table["interval"] = "t"
        table["ci_low"], table["ci_high"] = low, high
        parts.append(table.reset_index().assign(metric=metric, _order=order))
    if not parts:
        return pd.DataFrame(columns=columns)
    frame = pd.concat(parts, ignore_index=True)
    frame = frame.sort_values([*keys, "_order"], kind="stable", na_position="last")
    return frame[columns].reset_index(drop=True)


def contrasts(
    outcomes: pd.DataFrame,
    arms: Sequence[str],
    metrics: Sequence[str] = PAIRED_METRICS,
    *,
    pooled: bool = False,
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

    Returns
    -------
    DataFrame
        Per design point (unless ``pooled``): ``point``, the swept axes' values, then the
        columns of :func:`paired_differences`.
    """
    once_each(outcomes)
    axes, arms = axis_columns(outcomes), _names(arms)
    metrics = [m for m in _names(metrics) if m in outcomes.columns]
    finished = ok_runs(outcomes)
    empty = ["arm", "baseline", "metric", "mean_baseline", "mean_arm", "mean_diff"]
    empty = [*([] if pooled else ["point", *axes]), *empty, "ci_low", "ci_high", "n", "d_z"]
    if len(arms) < 2 or not metrics or finished.empty:
        return pd.DataFrame(columns=empty)
    if pooled:
        return _paired(finished, arms, metrics, ["point", "replication"])
    design = design_values(finished, arms, axes)
    parts = []
    for point, group in finished.groupby("point", sort=True):
        table = _paired(group, arms, metrics, ["replication"])
        parts.append(table.assign(point=point, **design.get(point, {})))
    frame = pd.concat(parts, ignore_index=True)
    return frame[["point", *axes, *(c for c in frame.columns if c not in ("point", *axes))]]


def design_values(
    outcomes: pd.DataFrame, arms: Sequence[str], axes: Sequence[str]
) -> dict[Any, dict[str, Any]]:
    """Each design point's values of the swept ``axes``, as the arms that follow the design
    were run at: an arm that sets a swept parameter itself has its own value in every row
    (the same at every point), which is not the point's. Per axis, the values are taken from
    the first arm (in ``arms`` order) whose values vary the most over the points."""
    values: dict[Any, dict[str, Any]] = {}
    for axis in axes:
        spread = outcomes.groupby("arm")[axis].nunique(dropna=False)
        follow = [a for a in arms if a in spread.index and spread[a] == spread.max()]
        rows = outcomes[outcomes["arm"] == (follow[0] if follow else arms[0])]
        for point, value in rows.drop_duplicates("point")[["point", axis]].itertuples(index=False):
            values.setdefault(point, {})[axis] = value
    return values


# -- sensitivity -----------------------------------------------------------------------------
def sensitivity(
    results: Results,
    metrics: Sequence[str] | None = SENSITIVITY_METRICS,
    *,
    resamples: int = 200,
    differences: bool = True,
    noise: bool = True,
) -> pd.DataFrame | None:
    """Sobol or Morris sensitivity indices of the swept axes, per arm and metric, and of the
    paired differences between arms.

    Replications are averaged per design point first: the indices describe how the expected
    outcome depends on the parameters. Each point has its own seed, so the point means still
    carry replication noise, independent from point to point, which SALib cannot tell from a
    parameter's effect: a parameter with no effect at all gets a total index ST near the
    noise's share of the variance of the point means, not 0, and an interval that excludes
    0. ``noise=True`` measures that share from the spread of the replications within each
    point and says which indices it could explain; a note says so when noise is half the
    variance or more, or when it cannot be measured.
    The design points' axis values, in design-point order, are the sample rows SALib drew;
    the problem's bounds are the axes' bounds, or the parameters' own ranges where the
    scenario gave none (:func:`simulator.scenario.axis_bounds`). An arm is skipped when a
    design point has no finished run (failed, or not run yet: the design is incomplete); a
    metric is skipped when a run lacks it (a milestone such as ``t50`` never reached) or it
    is the same at every point. Each skip is explained in ``table.attrs["notes"]``; points
    with fewer finished replications average those.

    Parameters
    ----------
    results : Results
        A loaded results folder (:func:`simulator.results.load`), or any object with its
        ``manifest``, ``outcomes`` and ``arms``.
    metrics : sequence of str, or None
        Outcome columns to analyse; None: every numeric outcome (:func:`numeric_outcomes`).
    resamples : int
        Bootstrap resamples for the confidence intervals (seeded from the root seed).
    differences : bool
        Also analyse each arm's paired difference from the baseline (the first arm), run by
        run on the same seeds and averaged per design point: which parameters drive the gap
        between arms. Those rows have ``arm`` ``"<arm> - <baseline>"``.
    noise : bool
        Add the columns ``noise`` (the share of the variance of the point means that is
        replication noise, 0-1; NaN where it cannot be measured), for Morris
        ``mu_star_noise`` (the largest mean μ* that noise alone gives a parameter with no
        effect), and ``within_noise``: True where the parameter cannot be told apart from
        one with no effect. Sobol: the lower end of its ST interval is not above ``noise``,
        the ST that noise alone gives a parameter with no effect (the estimator compares
        points with independent noise); its S1, at most its ST, is judged with it. Morris:
        the lower end of its μ* interval is not above ``mu_star_noise``. A
        pair's S2 (which noise does not bias) is within noise when its interval holds 0 or
        one of its parameters is within noise. NaN where the noise cannot be measured (one
        replication per point, or ``orgs = 1``).

    Returns
    -------
    DataFrame or None
        None unless the design is ``sobol`` or ``morris``. Otherwise one row per arm (or
        difference), metric and parameter: ``method``, ``arm``, ``metric``, ``parameter``
        and, for Sobol, ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (95 % half-widths), plus, if
        the design drew second order samples, rows for parameter pairs (``parameter``
        ``"a × b"``) with ``S2`` and ``S2_conf``; for Morris ``mu``, ``mu_star``,
        ``mu_star_conf`` and ``sigma`` (elementary effects per step of size delta in the unit
        cube, i.e. per fraction of an axis's range); with ``noise``, the columns above.
    """
    manifest = results.manifest
    spec = manifest.get("scenario", {})
    design = spec.get("design", {})
    kind = manifest.get("resolved", {}).get("design", design.get("kind"))
    if kind not in ("sobol", "morris"):
        return None
    axes, bounds = sampled_axes(spec)
    problem: dict[str, Any] = {"num_vars": len(axes), "names": axes, "bounds": bounds}
    points = manifest.get("resolved", {}).get("points", [])
    X = np.array([[float(p[n]) for n in axes] for p in points], dtype=float)
    notes: list[str] = [
        f"{kind} indices from the mean of the replications at each of {len(points)} points"
    ]
    finished = ok_runs(results.outcomes)
    wanted = numeric_outcomes(finished) if metrics is None else _names(metrics)
    metrics = [m for m in wanted if m in finished.columns]
    rows: list[dict[str, Any]] = []
    if kind == "morris":
        notes += _morris_check(X, len(axes))
    if not metrics:
        notes.append("no finished runs: nothing to analyse")
    seed = int(manifest.get("root_seed", 0))
    replications = int(manifest.get("replications", 1))
    orgs = spec.get("scenario", {}).get("orgs")
    levels = int(design.get("levels", 4))
    unmeasured: list[str] = []

    def analyse(label: str, runs: pd.DataFrame) -> None:
        means = _point_means(runs, metrics, len(points))
        spread = _noise_variance(runs, metrics, len(points), orgs, replications)
        for metric in metrics:
            Y = means[metric].to_numpy(dtype=float)
            missing = int(np.isnan(Y).sum())
            if missing:
                notes.append(
                    f"{label}/{metric} skipped: at {missing} of {len(Y)} points some run has no "
                    "value (a milestone it never reached)"
                )
                continue
            if np.ptp(Y) == 0:
                notes.append(f"{label}/{metric} skipped: the same value at every point")
                continue
            if kind == "sobol":
                found = _sobol_rows(problem, Y, bool(design.get("second_order")), resamples, seed)
            else:
                found = _morris_rows(problem, X, Y, levels, resamples, seed)
            share = _noise_share(spread[metric], Y)
            if np.isnan(share):
                unmeasured.append(f"{label}/{metric}")
            elif share >= 0.5:
                notes.append(
                    f"{label}/{metric}: replication noise is {100 * share:.0f} % of the variance "
                    "of the point means, as much as the parameters explain or more: its indices "
                    "mostly measure noise (raise the replications)"
                )
            judged = _judge(kind, found, share, spread[metric], levels)
            if noise:
                found = judged
            rows.extend({"method": kind, "arm": label, "metric": metric, **r} for r in found)

    arms = list(results.arms) if metrics else []
    complete: list[str] = []
    for arm in arms:
        runs = finished[finished["arm"] == arm]
        if _incomplete(arm, runs, len(points), replications, notes):
            continue
        complete.append(arm)
        analyse(arm, runs)
    if differences and len(arms) > 1 and arms[0] in complete:
        base = finished[finished["arm"] == arms[0]].set_index(["point", "replication"])[metrics]
        for arm in arms[1:]:
            if arm not in complete:
                continue
            mine = finished[finished["arm"] == arm].set_index(["point", "replication"])[metrics]
            diff = mine.astype(float).sub(base.astype(float)).dropna(how="all")
            pairs = diff.reset_index()
            label = f"{arm} - {arms[0]}"
            if _incomplete(label, pairs, len(points), replications, notes):
                continue
            analyse(label, pairs)
    if unmeasured:
        why = (
            "all replications of a point share one organisation (orgs = 1), so the "
            "differences between the points' organisations are noise they cannot measure"
            if orgs == 1
            else "a point needs two replications or more"
        )
        notes.append(
            f"replication noise not measured for {', '.join(unmeasured)}: {why}; indices "
            "can read noise as parameter effects"
        )
    table = pd.DataFrame(rows)
    if "within_noise" in table:
        table["within_noise"] = table["within_noise"].astype("boolean")
    if not table.empty:
        first = ["method", "arm", "metric", "parameter"]
        table = table[[*first, *(c for c in table.columns if c not in first)]]
    table.attrs["notes"] = notes
    return table


def sampled_axes(spec: dict[str, Any]) -> tuple[list[str], list[list[float]]]:
    """The swept parameters of a scenario (as in a manifest) and the bounds they were
    sampled within: the axes' own, or the parameters' ranges
    (:func:`simulator.scenario.axis_bounds`)."""
    from simulator.scenario import Axis, axis_bounds

    names: list[str] = []
    bounds: list[list[float]] = []
    for entry in spec.get("axes", []):
        axis = Axis.model_validate(entry)
        span = axis_bounds(axis)
        if span is None:
            raise ValueError(f"axis {axis.param} has no bounds: not a sampled design")
        names.append(axis.param)
        bounds.append([float(span[0]), float(span[1])])
    return names, bounds


def numeric_outcomes(outcomes: pd.DataFrame) -> list[str]:
    """The numeric outcome columns of an outcomes table (not keys, axes or bookkeeping)."""
    skip = {"point", "replication", "attempt", "seed", "seconds", *axis_columns(outcomes)}
    return [
        str(c)
        for c in outcomes.columns
        if c not in skip
        and (pd.api.types.is_numeric_dtype(outcomes[c]) or pd.api.types.is_bool_dtype(outcomes[c]))
    ]


def _incomplete(label: str, runs: pd.DataFrame, points: int, reps: int, notes: list[str]) -> bool:
    """Whether some design point has no finished run (noted); notes short points too."""
    size = runs.groupby("point").size().reindex(range(points), fill_value=0)
    if (size == 0).any():
        notes.append(
            f"{label}: no indices; {int((size == 0).sum())} of {points} design points "
            "have no finished run (failed, or not run yet), so the design is incomplete"
        )
        return True
    if (size < reps).any():
        notes.append(
            f"{label}: {int((size < reps).sum())} points average fewer than "
            f"{reps} replications (failed or unfinished runs)"
        )
    return False


def _point_means(runs: pd.DataFrame, metrics: Sequence[str], points: int) -> pd.DataFrame:
    """Mean of each metric per design point; NaN where some replication lacks the value."""
    group = runs[list(metrics)].astype(float).groupby(runs["point"])
    complete = group.count().eq(group.size(), axis=0)
    return group.mean().where(complete).reindex(range(points))


def _sobol_rows(
    problem: dict[str, Any], Y: np.ndarray, second: bool, resamples: int, seed: int
) -> list[dict[str, Any]]:
    from SALib.analyze import sobol

    D = problem["num_vars"]
    per_base = 2 * D + 2 if second else D + 2
    if len(Y) % per_base:
        raise ValueError(f"{len(Y)} points is not a Saltelli sample of {D} axes")
    si = sobol.analyze(problem, Y, calc_second_order=second, num_resamples=resamples, seed=seed)
    rows: list[dict[str, Any]] = [
        {
            "parameter": name,
            "S1": float(si["S1"][i]),
            "S1_conf": float(si["S1_conf"][i]),
            "ST": float(si["ST"][i]),
            "ST_conf": float(si["ST_conf"][i]),
        }
        for i, name in enumerate(problem["names"])
    ]
    if second:
        for i in range(D):
            for j in range(i + 1, D):
                rows.append(
                    {
                        "parameter": f"{problem['names'][i]} × {problem['names'][j]}",
                        "S2": float(si["S2"][i, j]),
                        "S2_conf": float(si["S2_conf"][i, j]),
                    }
                )
    return rows


def _morris_rows(
    problem: dict[str, Any],
    X: np.ndarray,
    Y: np.ndarray,
    levels: int,
    resamples: int,
    seed: int,
) -> list[dict[str, Any]]:
    from SALib.analyze import morris

    si = morris.analyze(
        problem, X, Y, num_levels=levels, num_resamples=resamples, conf_level=0.95, seed=seed
    )
    return [
        {
            "parameter": name,
            "mu": float(si["mu"][i]),
            "mu_star": float(si["mu_star"][i]),
            "mu_star_conf": float(si["mu_star_conf"][i]),
            "sigma": float(si["sigma"][i]),
        }
        for i, name in enumerate(problem["names"])
    ]


def _morris_check(X: np.ndarray, dims: int) -> list[str]:
    """A note if rounding (whole-number axes) made a trajectory step move no axis or two."""
    if len(X) % (dims + 1):
        raise ValueError(f"{len(X)} points is not a set of Morris trajectories over {dims} axes")
    steps = np.diff(X.reshape(-1, dims + 1, dims), axis=1)
    moved = (steps != 0).sum(axis=2)
    bad = int((moved != 1).sum())
    if bad:
        return [f"{bad} trajectory steps move no axis or several (rounded values); unreliable"]
    return []


def _noise_variance(
    runs: pd.DataFrame, metrics: Sequence[str], points: int, orgs: int | None, reps: int
) -> pd.Series:
    """Per metric, the mean over design points of the variance of a point's mean that comes
    from its replications (NaN where it cannot be measured).

    At a point with n replications of variance s^2 it is s^2 / n. With ``orgs = k`` (2 <= k <
    replications) replications r and r + k share an organisation, so the organisations'
    means are the independent draws: the variance of the point mean is that of the k
    organisations' means over k. With ``orgs = 1`` the organisation differs only between
    points: NaN. A point with too few replications counts as the average point.
    """
    if orgs == 1:
        return pd.Series(np.nan, index=list(metrics))
    values = runs[list(metrics)].astype(float)
    point = runs["point"].to_numpy()
    if orgs is not None and 2 <= orgs < reps:
        values = values.groupby([runs["point"], runs["replication"] % orgs]).mean()
        point = values.index.get_level_values(0).to_numpy()
    group = values.groupby(point)
    per_point = (group.var(ddof=1) / group.count()).reindex(range(points))
    return per_point.mean(skipna=True)


def _noise_share(noise_variance: float, Y: np.ndarray) -> float:
    """The share (0-1) of the variance of the point means ``Y`` that is replication noise."""
    total = float(np.var(Y, ddof=1)) if len(Y) > 1 else 0.0
    if not np.isfinite(noise_variance) or total <= 0:
        return float("nan")
    return float(min(1.0, noise_variance / total))


def _judge(
    kind: str, found: list[dict[str, Any]], share: float, variance: float, levels: int
) -> list[dict[str, Any]]:
    """The rows of :func:`_sobol_rows` or :func:`_morris_rows` with ``noise``, (Morris)
    ``mu_star_noise`` and ``within_noise`` (the rule is in :func:`sensitivity`).

    The point means are f(x) + e with noise e independent from point to point, of variance
    v: a share eta = v / Var(Y) of the point means' variance. Sobol (SALib's estimators on
    N rows of points A, B and AB_i): the total index mean((Y_A - Y_ABi)^2) / (2 Var(Y))
    compares points with independent noise, so a parameter with no effect gets ST = eta on
    average, not 0; the bootstrap over the rows gives the spread of the estimate, not this
    bias. ST = 0 is what "no effect" means (Saltelli et al. 2008, factor fixing), so the
    verdict on a parameter is ST's: its S1 (at most its ST) is judged with it. The
    first-order index mean(Y_B (Y_ABi - Y_A)) / Var(Y) is not biased by the noise, which
    only widens its spread (a standard error of about sqrt(2 eta / N) from noise alone).
    Morris: an elementary effect of a parameter with no effect is (e_1 - e_2) / delta, whose
    mean absolute value is at most sqrt(2 v) / delta (delta = levels / (2 (levels - 1)),
    SALib's step) whatever the noise's distribution (sqrt(4 v / pi) / delta if normal).
    """
    if np.isnan(share):
        unknown: dict[str, Any] = {"noise": np.nan, "within_noise": pd.NA}
        if kind == "morris":
            unknown = {"noise": np.nan, "mu_star_noise": np.nan, "within_noise": pd.NA}
        return [{**r, **unknown} for r in found]
    out: list[dict[str, Any]] = []
    if kind == "morris":
        floor = float(np.sqrt(2 * variance)) / (levels / (2.0 * (levels - 1)))
        for r in found:
            within = bool(r["mu_star"] - r["mu_star_conf"] <= floor)
            out.append({**r, "noise": share, "mu_star_noise": floor, "within_noise": within})
        return out
    alone: dict[str, bool] = {}
    for r in found:
        if "ST" in r and np.isfinite(r["ST"]):
            alone[r["parameter"]] = bool(r["ST"] - r["ST_conf"] <= share)
    for r in found:
        if r["parameter"] in alone:
            within = alone[r["parameter"]]
        else:  # a pair "a × b"
            pair = str(r["parameter"]).split(" × ")
            holds_zero = bool(abs(r["S2"]) <= r["S2_conf"]) if np.isfinite(r["S2"]) else True
            within = holds_zero or any(alone.get(name, True) for name in pair)
        out.append({**r, "noise": share, "within_noise": within})
    return out
