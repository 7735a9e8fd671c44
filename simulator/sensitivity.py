"""Sensitivity indices of a design (Sobol, Morris; for any other design of enough points,
given-data RBD-FAST: :mod:`simulator.sensitivity_given`; SALib), per arm and outcome and for
the paired differences between arms, with the replication noise they cannot tell from a
parameter's effect measured and marked.

Pure functions of a loaded results folder (:class:`simulator.results.Results`), pandas out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from simulator.analysis import axis_columns, known_metrics, name_list, ok_runs, paired_runs
from simulator.errors import SimulatorError
from simulator.nesting import nested, org_of
from simulator.sensitivity_given import MIN_POINTS, design_matrix, given_rows

if TYPE_CHECKING:
    from simulator.results import Results

SENSITIVITY_METRICS: tuple[str, ...] = ("poster", "peak_poster", "t10", "t50", "reach", "posts")
"""Outcome columns :func:`sensitivity` analyses by default."""
METHODS: tuple[str, ...] = ("sobol", "morris", "rbd_fast")
"""What :func:`sensitivity` computes: a Sobol or Morris design's own indices, or given-data
first-order indices (RBD-FAST) of any design of :data:`MIN_POINTS` distinct points or more."""


class SensitivityError(SimulatorError):
    """A design that the sensitivity indices asked for cannot be computed on."""


def sensitivity(
    results: Results,
    metrics: Sequence[str] | None = SENSITIVITY_METRICS,
    *,
    resamples: int = 200,
    differences: bool = True,
    noise: bool = True,
    method: str | None = None,
) -> pd.DataFrame:
    """Sensitivity indices of the swept axes, per arm and metric, and of the paired
    differences between arms: Sobol or Morris for their own designs, given-data first-order
    indices (RBD-FAST) for any other design of enough points.

    Replications are averaged per design point first: the indices describe how the expected
    outcome depends on the parameters, as the design's points spread them (the runs of a
    point share its parameters, so they add no new rows to a given-data estimator, only
    ties it would break by their order, and their mean has the least noise). Each point has
    its own seed, so the point means still carry replication noise, independent from point
    to point, which SALib cannot tell from a parameter's effect: a parameter with no effect
    at all gets a Sobol total index ST near the noise's share of the variance of the point
    means, not 0, and an interval that excludes 0; its given-data S1 is 0 on average but
    spread around it. ``noise=True`` measures the noise's share from the spread of the
    replications within each point and says which indices it could explain; a note says so
    when noise is half the variance or more, or when it cannot be measured.
    For Sobol and Morris, the design points' axis values, in design-point order, are the
    sample rows SALib drew; the problem's bounds are the axes' bounds, or the parameters'
    own ranges where the scenario gave none (:func:`simulator.design.axis_bounds`). For
    RBD-FAST the points are the sample as they are (:func:`simulator.sensitivity_given.
    design_matrix`): a grid's, a Latin hypercube's or listed points. An arm is skipped when
    a design point has no finished run (failed, or not run yet: the design is incomplete);
    a metric is skipped when a run lacks it (a milestone such as ``t50`` never reached) or
    it is the same at every point. Each skip is explained in ``table.attrs["notes"]``;
    points with fewer finished replications average those. A note also says where the S1
    of an arm and metric sum to more than 1 (by more than :data:`S1_SUM_TOLERANCE`): their
    estimation error, at that number of points, is larger than the share left to
    interactions, and they are a ranking, not shares of the variance.

    Parameters
    ----------
    results : Results
        A loaded results folder (:func:`simulator.results.load`), or any object with its
        ``manifest``, ``outcomes`` and ``arms``.
    metrics : sequence of str, or None
        Outcome columns to analyse; None: every numeric outcome (:func:`numeric_outcomes`).
    resamples : int
        Bootstrap resamples for the confidence intervals, and for RBD-FAST the dummy
        parameters of its noise floor (seeded from the root seed).
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
        replication per point, or ``orgs = 1``). RBD-FAST: its S1 is not above
        ``S1_noise``, the 95th percentile of the largest S1 of D dummy parameters, D the
        number of parameters (random orderings of the same point means: parameters with no
        effect, for which replication noise and the other parameters are chance), one floor
        for all parameters of an arm and metric: a permutation test that holds the
        family-wise error over them at 5 % (parameters with no effect, any of them, clear
        it in at most 5 % of designs, not each in 5 %), needs no replications, and so is
        never NaN.
    method : {"sobol", "morris", "rbd_fast"}, optional
        Default: the design's own, ``"sobol"`` or ``"morris"``, and ``"rbd_fast"`` for a
        grid, points, lhs or montecarlo design. ``"rbd_fast"`` on a Sobol or Morris design
        checks its indices against given-data ones (a Saltelli sample has the rows of a random
        sample; Morris trajectories are few distinct values per axis).

    Returns
    -------
    DataFrame
        One row per arm (or difference), metric and parameter: ``method``, ``arm``,
        ``metric``, ``parameter`` and, for Sobol, ``S1``, ``S1_conf``, ``ST``, ``ST_conf``
        (95 % half-widths), plus, if the design drew second order samples, rows for
        parameter pairs (``parameter`` ``"a × b"``) with ``S2`` and ``S2_conf``; for Morris
        ``mu``, ``mu_star``, ``mu_star_conf`` and ``sigma`` (elementary effects per step of
        size delta in the unit cube, i.e. per fraction of an axis's range); for RBD-FAST
        ``S1``, ``S1_conf`` and ``S1_noise`` (:func:`simulator.sensitivity_given.
        given_rows`); with ``noise``, the columns above.

    Raises
    ------
    SensitivityError
        A design with fewer than :data:`simulator.sensitivity_given.MIN_POINTS` distinct
        points (other than Sobol or Morris, analysed with their own method), or a
        ``method`` that the design cannot give.
    """
    manifest = results.manifest
    spec = manifest.get("scenario", {})
    design = spec.get("design", {})
    kind = str(manifest.get("resolved", {}).get("design", design.get("kind", "grid")))
    method = _method(kind, method)
    points = manifest.get("resolved", {}).get("points", [])
    notes: list[str] = []
    if method == "rbd_fast":
        axes, X, notes = design_matrix(manifest)
        distinct = len(np.unique(X, axis=0)) if axes else min(len(points), 1)
        if distinct < MIN_POINTS or not axes:
            raise SensitivityError(
                f"design.kind = {kind!r} with {distinct} distinct design point"
                f"{'' if distinct == 1 else 's'}"
                f"{'' if axes else ' and no parameter that varies between them'}: "
                "too few for sensitivity indices; they need a sobol or morris design (any "
                f"size), or a grid, points, lhs or montecarlo design of {MIN_POINTS} distinct"
                " points or more over at least one swept parameter (given-data RBD-FAST)"
            )
        problem: dict[str, Any] = {"num_vars": len(axes), "names": axes}
    else:
        axes, bounds = sampled_axes(spec)
        problem = {"num_vars": len(axes), "names": axes, "bounds": bounds}
        X = np.array([[float(p[n]) for n in axes] for p in points], dtype=float)
    notes.insert(
        0,
        f"{_NAMES[method]} indices from the mean of the replications at each of "
        f"{len(points)} points",
    )
    finished = ok_runs(results.outcomes)
    wanted = numeric_outcomes(finished) if metrics is None else name_list(metrics)
    numeric = numeric_outcomes(finished)
    try:  # (a typo is refused, naming the numeric outcomes; those this table lacks: left out)
        metrics = known_metrics(finished, wanted, offer=numeric)
    except ValueError as error:
        raise SensitivityError(str(error)) from None
    other = [m for m in metrics if m not in numeric]
    if other:  # (status, arm, seed: a column of the table, but no outcome to analyse)
        raise SensitivityError(
            f"metric = {other[0]!r}: not a numeric outcome; the numeric outcomes are"
            f" {', '.join(numeric)}"
        )
    rows: list[dict[str, Any]] = []
    if method == "morris":
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
            if method == "sobol":
                found = _sobol_rows(problem, Y, bool(design.get("second_order")), resamples, seed)
            elif method == "morris":
                found = _morris_rows(problem, X, Y, levels, resamples, seed)
            else:
                found = given_rows(axes, X, Y, resamples, seed)
            share = _noise_share(spread[metric], Y)
            if np.isnan(share):
                unmeasured.append(f"{label}/{metric}")
            elif share >= 0.5:
                notes.append(
                    f"{label}/{metric}: replication noise is {100 * share:.0f} % of the variance "
                    "of the point means, as much as the parameters explain or more: its indices "
                    "mostly measure noise (raise the replications, unless the parameters do"
                    " not move it at all)"
                )
            if noise:
                found = _judge(method, found, share, spread[metric], levels)
            notes.extend(_s1_sum(f"{label}/{metric}", found, len(Y)))
            rows.extend({"method": method, "arm": label, "metric": metric, **r} for r in found)

    arms = list(results.arms) if metrics else []
    complete: list[str] = []
    for arm in arms:
        runs = finished[finished["arm"] == arm]
        if _incomplete(arm, runs, len(points), replications, notes):
            continue
        complete.append(arm)
        analyse(arm, runs)
    if differences and len(arms) > 1 and arms[0] in complete:
        for arm in arms[1:]:
            if arm not in complete:
                continue
            base, mine = paired_runs(finished, arms[0], arm, metrics)  # both finished
            pairs = mine.astype(float).sub(base.astype(float)).reset_index()
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
        effect = (
            "within_noise does not need it (RBD-FAST's floor comes from dummy parameters)"
            if method == "rbd_fast"
            else "indices can read noise as parameter effects"
        )
        notes.append(f"replication noise not measured for {', '.join(unmeasured)}: {why}; {effect}")
    table = pd.DataFrame(rows)
    if "within_noise" in table:
        table["within_noise"] = table["within_noise"].astype("boolean")
    if not table.empty:
        first = ["method", "arm", "metric", "parameter"]
        table = table[[*first, *(c for c in table.columns if c not in first)]]
    table.attrs["notes"] = notes
    return table


_NAMES = {"sobol": "Sobol", "morris": "Morris", "rbd_fast": "RBD-FAST (given-data)"}


def _method(kind: str, method: str | None) -> str:
    """The method a ``kind`` design is analysed with (:func:`sensitivity`'s ``method``)."""
    own = kind if kind in ("sobol", "morris") else "rbd_fast"
    if method is None or method == own:
        return own
    if method not in METHODS:
        raise SensitivityError(f"method = {method!r}: not a method; use one of {METHODS}")
    if method != "rbd_fast":
        raise SensitivityError(
            f"method = {method!r} needs a {method} design (SALib's own sample), not "
            f"design.kind = {kind!r}; any design of {MIN_POINTS} distinct points or more "
            "takes method = 'rbd_fast'"
        )
    return method


def sampled_axes(spec: dict[str, Any]) -> tuple[list[str], list[list[float]]]:
    """The swept parameters of a scenario (as in a manifest) and the bounds they were
    sampled within: the axes' own, or the parameters' ranges
    (:func:`simulator.design.axis_bounds`)."""
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


def verdict(value: Any) -> bool:
    """Whether a ``within_noise`` cell says yes (not False, nor missing where the noise was
    not measured)."""
    return value is not None and value is not pd.NA and value == value and bool(value)


def numeric_outcomes(outcomes: pd.DataFrame) -> list[str]:
    """The numeric outcome columns of an outcomes table (not keys, axes or bookkeeping)."""
    skip = {"point", "replication", "attempt", "seed", "seconds", *axis_columns(outcomes)}
    return [
        str(c)
        for c in outcomes.columns
        if c not in skip
        and (pd.api.types.is_numeric_dtype(outcomes[c]) or pd.api.types.is_bool_dtype(outcomes[c]))
    ]


S1_SUM_TOLERANCE = 0.05
"""How far above 1 the first-order indices of an arm and outcome may sum before a note says
that they do (:func:`_s1_sum`)."""


def _s1_sum(what: str, found: list[dict[str, Any]], points: int) -> list[str]:
    """A note when the S1 of ``what`` (``arm/metric``) sum to more than 1, which shares of
    one variance cannot: the estimates' error at ``points`` points (an RBD-FAST S1 spreads by
    about 0.08 at 40 points; a Sobol S1 by its ``S1_conf``).

    >>> _s1_sum("listen/poster", [{"S1": 0.8}, {"S1": 0.51}, {"S2": 0.3}], 40)
    ['S1 of listen/poster sum to 1.31 > 1: estimation error at 40 points; read them as a ranking']
    >>> _s1_sum("listen/poster", [{"S1": 0.6}, {"S1": 0.44}], 40)
    []
    """
    total = sum(float(r["S1"]) for r in found if np.isfinite(r.get("S1", np.nan)))
    if total <= 1 + S1_SUM_TOLERANCE:
        return []
    return [
        f"S1 of {what} sum to {total:.2f} > 1: estimation error at {points} points; "
        "read them as a ranking"
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
    rows = _per_parameter(problem, si, ("S1", "S1_conf", "ST", "ST_conf"))
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
    return _per_parameter(problem, si, ("mu", "mu_star", "mu_star_conf", "sigma"))


def _per_parameter(problem: dict[str, Any], si: Any, keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """A row per parameter of SALib's result ``si``: its name and the ``keys``' values."""
    return [
        {"parameter": name, **{key: float(si[key][i]) for key in keys}}
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
    if orgs is not None and nested(orgs, reps):
        values = values.groupby(org_of(runs, orgs)).mean()  # (the organisations' means)
        point = values.index.to_numpy() // orgs
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
    """The rows of :func:`_sobol_rows`, :func:`_morris_rows` or (``kind`` ``"rbd_fast"``)
    :func:`simulator.sensitivity_given.given_rows` with ``noise``, (Morris)
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
    RBD-FAST: its bias correction takes the noise out of S1 on average (it removes the
    share 2M / N of all the variance the parameter does not explain, which white noise
    spreads evenly over the harmonics); what is left is spread, which the dummy parameters'
    S1 measure, with or without replications.
    """
    if np.isnan(share) and kind != "rbd_fast":
        unknown: dict[str, Any] = {"noise": np.nan, "within_noise": pd.NA}
        if kind == "morris":
            unknown = {"noise": np.nan, "mu_star_noise": np.nan, "within_noise": pd.NA}
        return [{**r, **unknown} for r in found]
    out: list[dict[str, Any]] = []
    if kind == "rbd_fast":  # (the floor is the dummies', measured with or without replicates)
        return [
            {**r, "noise": share, "within_noise": bool(r["S1"] <= r["S1_noise"])} for r in found
        ]
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
