"""Robustness of the arms over a design: which strategy holds up across the uncertain
conditions (the design points), as the EMA Workbench measures policies over scenarios.

Per arm, over the design points, for one outcome: the mean of the point means, a low
percentile of them (the worse end), the worst point, the regret (how far the arm falls
short of the best arm at each point: Savage 1951; Lempert, Popper & Bankes 2003) as its
mean and maximum, with a bootstrap interval on the mean, and the share of points at which
the arm is best. Pure functions of result tables, as :mod:`simulator.analysis`; the table
in words is :mod:`simulator.robustness_words`, the report's section
:mod:`simulator.report_robustness`.

References
----------
Savage, L. J. (1951). The theory of statistical decision. JASA 46(253), 55-67.
Lempert, R. J., Popper, S. W., & Bankes, S. C. (2003). Shaping the next one hundred years.
RAND MR-1626. McPhail, C. et al. (2018). Robustness metrics: how are they calculated, when
should they be used and why do they give different results? Earth's Future 6, 169-191.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from simulator import measures
from simulator.analysis import (
    axis_columns,
    design_values,
    known_metrics,
    ok_runs,
    once_each,
    upper_limits,
)
from simulator.errors import SimulatorError, did_you_mean
from simulator.nesting import nested, org_count, org_of
from simulator.results import Results, short_value
from simulator.robustness_words import shown, verdict  # (this module's before: still here)

BOOTSTRAPS = 1000
"""Bootstrap resamples of the replications behind the interval on the mean regret."""
ASK = "pass better='higher' or 'lower'"
"""How an error for an outcome of no known better way says to give one, in Python (the
command line passes its own: ``--better higher``)."""


class RobustnessError(SimulatorError):
    """A robustness table that cannot be made: names the argument, value and what would do."""


def direction(
    metric: str,
    better: str | None = None,
    custom: Mapping[str, Any] | None = None,
    *,
    ask: str = ASK,
) -> str:
    """``"higher"`` or ``"lower"``: which way ``metric`` is better (``better`` if given),
    else its measure's :attr:`~simulator.measures.Measure.better` (a scenario's own outcomes:
    ``custom``, as ``outcomes.attrs["measures"]`` carries them). ``ask``: how the error for
    an outcome of no known better way says to give one (:data:`ASK`).

    >>> direction("poster"), direction("t50"), direction("leader_attention", "lower")
    ('higher', 'lower', 'lower')
    >>> direction("weeks_to_30pct", custom={"weeks_to_30pct": {"label": "First week",
    ...     "unit": "weeks", "kind": "weeks", "better": "lower"}})
    'lower'
    """
    if better is not None:
        if better not in ("higher", "lower"):
            raise RobustnessError(f"better = {better!r}: must be 'higher' or 'lower'")
        return better
    found = measures.find(metric, custom)
    if found is not None and found.better in ("higher", "lower"):
        return found.better
    known = sorted(
        name
        for name in {*measures.MEASURES, *(custom or {})}
        if getattr(measures.find(name, custom), "better", "") in ("higher", "lower")
    )
    near = did_you_mean(metric, known)
    hint = f" (did you mean {near!r}?)" if near else ""
    raise RobustnessError(
        f"metric {metric!r} has no known better direction{hint}: {ask}, or rank one of"
        f" {', '.join(known)}"
    )


def _not_an_outcome(finished: pd.DataFrame, metric: str) -> None:
    """Refuse a column of the outcomes table that is no outcome to rank: a swept parameter
    (``culture.openness``), or one that says which run a row is or how it went (``seed``,
    ``replication``, ``status``), as :func:`simulator.sensitivity.numeric_outcomes` leaves
    them out; the error names the outcomes (a scenario's own too)."""
    from simulator.sensitivity import numeric_outcomes

    if metric not in finished.columns or metric in numeric_outcomes(finished):
        return
    what = (
        "a swept parameter"
        if metric in axis_columns(finished)
        else "a column that says which run a row is or how it went"
    )
    known = [*measures.OUTCOMES, *measures.of_table(finished.attrs)]
    here = [m for m in numeric_outcomes(finished) if m not in known]
    more = f", or a column of the table ({', '.join(here)})" if here else ""
    raise RobustnessError(
        f"metric {metric!r}: {what}, not an outcome to rank; the outcomes are"
        f" {', '.join(known)}{more}"
    )


def run_values(outcomes: pd.DataFrame, metric: str) -> tuple[pd.Series, pd.Series]:
    """Each finished run's value of ``metric`` as the robustness table counts it, and
    whether it is censored.

    Weeks to a level never reached (a milestone, ``t10``, ``t50``, ``t90``, or a scenario's
    own ``first_reaching`` outcome: any measure of kind ``weeks``) count as the week after
    the run's horizon (``analysis.upper_limits``): the earliest it could come, so means of
    such runs are lower bounds on the true weeks and ``censored`` says how many. Any other
    NaN (weeks whose horizon is unknown, ``deepest_level`` with no level at 10 %) is
    counted as ``missing``, and :func:`robustness` leaves its replication out of its point,
    for every arm.
    """
    finished = ok_runs(outcomes)
    values = pd.to_numeric(finished[metric], errors="coerce").astype("float64")
    censored = pd.Series(False, index=finished.index)
    if measures.kind(metric, outcomes.attrs) == "weeks":
        after = upper_limits(finished, metric) + 1.0
        censored = values.isna() & np.isfinite(after)
        values = values.where(~censored, pd.Series(after, index=finished.index))
    return values, censored


def robustness(
    data: Results | pd.DataFrame,
    metric: str = "poster",
    *,
    percentile: float = 10.0,
    better: str | None = None,
    bootstraps: int = BOOTSTRAPS,
    rng: int | np.random.Generator | None = 0,
    ask: str = ASK,
) -> pd.DataFrame:
    """Robustness of each arm over the design points for one outcome.

    Every number of the table is worked out from the same runs: at each design point, the
    replications at which every arm has a value (a failed run, or a NaN, of one arm leaves
    out that replication for all of them, as :func:`simulator.analysis.contrasts` leaves
    out such a pair), so the mean regret and its interval describe the same runs.

    Parameters
    ----------
    data : Results or DataFrame
        A results folder read by :func:`simulator.results.load`, or its outcomes: one row
        per run with ``point``, ``arm``, ``replication`` (and ``status``).
    metric : str
        The outcome (``poster``, ``t50``...).
    percentile : float
        How far into the worse end of the point means ``tail`` is, 0 to 50: for a
        higher-is-better outcome the ``percentile``-th percentile, for a lower-is-better
        one the ``100 - percentile``-th.
    better : {"higher", "lower"}, optional
        Which way the outcome is better; default its measure's (:func:`direction`: a
        scenario's own outcomes' as ``outcomes.attrs["measures"]`` holds them).
    bootstraps : int
        Resamples for the interval on the mean regret (0: none).
    rng : int or Generator, optional
        The bootstrap's random numbers (SPEC 7); the default 0 gives the same interval each
        time.
    ask : str
        How the error for an outcome of no known better way says to give one
        (:func:`direction`).

    Returns
    -------
    DataFrame
        One row per arm, ranked by mean regret (the scenario's order among equals):
        ``arm``, ``metric``, ``better``, ``points`` (design points used), ``mean`` (of the
        point means, over the replications at which every arm has a value: each point
        weighs the same), ``tail``, ``worst`` and ``worst_point``,
        ``worst_label``, ``mean_regret`` and its 95 % interval ``regret_low``/``regret_high``,
        ``max_regret``, ``max_regret_point``, ``max_regret_label`` (a point's label, with
        ``(point k)`` when points share their swept values), ``best_share`` (share of points
        where the arm is best; ties split: the shares add up to 1), ``best_or_tied`` (share
        of points where no arm is better: what the table in words shows, as the verdict
        says "best or tied"), ``runs`` (finished, all of them), ``censored``
        and ``missing`` (:func:`run_values`). Regret at a point is the best arm's point mean
        minus this arm's, or this arm's minus the best's for a lower-is-better outcome:
        never below 0. ``attrs`` holds ``percentile``, ``notes``, ``per_point`` (point
        means and regrets per point and arm) and ``measures`` (the scenario's own outcomes',
        for :func:`shown`).

    Notes
    -----
    The interval is a paired bootstrap within design points: each resample redraws the
    replications of each point that it has (those at which every arm has a value: a shard's
    folder or an interrupted sweep holds only some) with replacement, the same replications
    for every arm (the arms of one replication share the point's seeds, as in
    ``analysis.contrasts``, so the common random numbers stay paired), then recomputes the
    point means, the best arm at each point and the mean regret; the interval is the 2.5 and
    97.5 % percentiles. It was chosen over a paired t interval of the differences from the
    best arm because the best arm at a point is itself estimated: the bootstrap carries the
    chance that another arm is best, a fixed-best interval does not. So where arms are close
    it can lie above the estimate (a resample's best arm is often better than the observed
    one); that is the sign that the ranking is not settled. It is NaN when a point has fewer
    than two such replications. Design points at which no replication has a value for every
    arm (failed or unrun runs) are left out, and a note says so, as it does of the
    replications left out of the points kept.

    With ``[scenario] orgs = k`` (``outcomes.attrs["orgs"]``, else the manifest's of a
    :class:`~simulator.results.Results`), ``2 <= k <`` replications, the replications of a
    point that share an organisation are not independent: each resample redraws the point's
    organisations instead (a cluster bootstrap, :mod:`simulator.nesting`), each with all its
    replications, so the interval holds for organisations like these; it is NaN where a
    point has fewer than two. With ``orgs = 1`` there is one organisation per point to
    resample within, and a note says the interval holds for it. With one design point there
    is nothing to rank across points: the table is the arms' regret at that point, and a
    note says so (and of how many, when others were left out: ``attrs["design_points"]``
    counts the points that have values, the ones left out included).
    """
    results = data if isinstance(data, Results) else None
    outcomes = results.outcomes if results is not None else data
    if not isinstance(outcomes, pd.DataFrame):
        raise TypeError(f"expected a Results or an outcomes table, not {type(data).__name__}")
    if not 0 <= percentile <= 50:
        raise RobustnessError(
            f"percentile = {percentile:g}: must be 0 to 50, counted from the worse end"
            " (10: the 10th percentile of a share, the 90th of weeks to a milestone)"
        )
    once_each(outcomes)
    known_metrics(outcomes, [metric])  # (a typo is refused, naming the outcomes)
    finished = ok_runs(outcomes)
    if finished.empty:
        raise RobustnessError("no run has finished: nothing to rank")
    _not_an_outcome(finished, metric)
    custom = outcomes.attrs.get("measures") or {}
    sign = 1.0 if direction(metric, better, custom, ask=ask) == "higher" else -1.0
    if metric not in outcomes.columns:
        raise RobustnessError(f"metric {metric!r}: no run of these results has it")
    values, censored = run_values(outcomes, metric)
    arms = [str(a) for a in outcomes.attrs.get("arms") or pd.unique(outcomes["arm"])]
    runs = finished.assign(_v=values)
    cube = runs.pivot_table("_v", ["point", "replication"], "arm", aggfunc="first", dropna=False)
    cube = cube.reindex(columns=[a for a in arms if a in cube.columns]).dropna(how="all")
    notes: list[str] = []
    unrun = [a for a in arms if a not in cube.columns or cube[a].isna().all()]
    if unrun:
        notes.append(f"no value in any run of {', '.join(unrun)}: left out")
    cube = cube[[a for a in cube.columns if a not in unrun]]
    paired = cube.dropna(how="any")  # (the runs the means and the interval both use)
    means = paired.groupby(level="point").mean()
    points = cube.index.get_level_values("point").unique()
    lost = len(points) - len(means)
    if lost:
        notes.append(
            f"{lost} design point(s) where no replication has a value for every arm left out"
        )
    kept = cube[cube.index.get_level_values("point").isin(means.index)]
    gaps = kept[kept.isna().any(axis=1)]  # (the replications of the points kept left out)
    if not gaps.empty:
        notes.append(_left_out(outcomes, gaps, metric))
    if means.empty:
        raise RobustnessError(f"metric {metric!r}: no design point has a value for every arm")
    good = sign * means.to_numpy()
    regret = good.max(axis=1, keepdims=True) - good
    labels = _labels(outcomes, arms)
    orgs = outcomes.attrs.get("orgs", org_count(results.manifest) if results is not None else None)
    replications = int(cube.index.get_level_values("replication").max()) + 1  # (at least)
    if results is not None:
        replications = int(results.manifest.get("replications", replications))
    by_org = orgs if nested(orgs, replications) else None
    low, high = _interval(paired, means.index, sign, bootstraps, rng, by_org)
    notes += _org_notes(orgs, replications, len(means), len(points))
    best = np.isclose(good, good.max(axis=1, keepdims=True), rtol=1e-12, atol=1e-12)
    shares = (best / best.sum(axis=1, keepdims=True)).mean(axis=0)  # (ties split)
    tied = best.mean(axis=0)  # (best, alone or level with another arm)
    rows = []
    for i, arm in enumerate(means.columns):
        mine = finished["arm"] == arm
        worst, most = int(np.argmin(good[:, i])), int(np.argmax(regret[:, i]))
        worst_point, most_point = int(means.index[worst]), int(means.index[most])
        rows.append(
            {
                "arm": arm,
                "metric": metric,
                "better": "higher" if sign > 0 else "lower",
                "points": len(means),
                "mean": float(means[arm].mean()),
                "tail": sign * float(np.percentile(good[:, i], percentile)),
                "worst": float(means[arm].iloc[worst]),
                "worst_point": worst_point,
                "worst_label": labels.get(worst_point, f"point {worst_point}"),
                "mean_regret": float(regret[:, i].mean()),
                "regret_low": low[i],
                "regret_high": high[i],
                "max_regret": float(regret[most, i]),
                "max_regret_point": most_point,
                "max_regret_label": labels.get(most_point, f"point {most_point}"),
                "best_share": float(shares[i]),
                "best_or_tied": float(tied[i]),
                "runs": int(mine.sum()),
                "censored": int(censored[mine].sum()),
                "missing": int(values[mine].isna().sum()),
            }
        )
    table = pd.DataFrame(rows)
    table["_order"] = range(len(table))
    table = table.sort_values(["mean_regret", "_order"], kind="stable").drop(columns="_order")
    table = table.reset_index(drop=True)
    if table["censored"].any():
        notes.append(
            f"{metric}: runs that never reached it count as the week after their horizon"
            " (the earliest it could come): their arm's mean is a lower bound"
        )
    per_point = pd.DataFrame(
        {
            "point": np.repeat(means.index.to_numpy(), len(means.columns)),
            "arm": np.tile(means.columns.to_numpy(), len(means)),
            "mean": means.to_numpy().ravel(),
            "regret": regret.ravel(),
        }
    )
    table.attrs = {
        "percentile": percentile,
        "notes": notes,
        "per_point": per_point,
        "measures": custom,
        "design_points": len(points),
    }
    return table


def _left_out(outcomes: pd.DataFrame, gaps: pd.DataFrame, metric: str) -> str:
    """The note on the replications left out of the points ranked: how many, and why, as
    the runs of ``gaps`` with no value (rows ``(point, replication)``, a column per arm) are
    counted per arm: failed, not run (an interrupted sweep), or finished with no value of
    ``metric`` (:func:`run_values`).

    >>> outcomes = pd.DataFrame({"point": [0, 0, 0, 0], "replication": [0, 0, 1, 1],
    ...     "arm": ["a", "b", "a", "b"], "status": ["ok", "failed", "ok", "ok"]})
    >>> gaps = pd.DataFrame({"a": [0.1, 0.2], "b": [np.nan, np.nan]},
    ...     index=pd.MultiIndex.from_tuples([(0, 0), (0, 1)], names=["point", "replication"]))
    >>> note = _left_out(outcomes, gaps, "t50")
    >>> note[: note.index(" of")]
    't50: 2 replication(s)'
    >>> note[note.index("where") :]
    'where a run failed (b: 1) or has no t50 value (b: 1)'
    """
    keys = ["point", "replication", "arm"]
    finished = set(ok_runs(outcomes)[keys].itertuples(index=False, name=None))
    tried = set(outcomes[keys].itertuples(index=False, name=None))
    why: dict[str, Counter[str]] = {
        "failed": Counter(),
        "has not run": Counter(),
        f"has no {metric} value": Counter(),
    }
    holes = gaps.isna().stack()  # (point, replication, arm): whether it has no value
    for run in holes.index[holes.to_numpy(dtype=bool)]:
        said = "failed" if run not in finished else f"has no {metric} value"
        why[said if run in tried else "has not run"][str(run[2])] += 1
    reasons = " or ".join(
        f"{said} ({', '.join(f'{arm}: {n}' for arm, n in count.items())})"
        for said, count in why.items()
        if count
    )
    return (
        f"{metric}: {len(gaps)} replication(s) of the points ranked left out, for every arm"
        f" (the point means and the interval use the same runs), where a run {reasons}"
    )


def _interval(
    pairs: pd.DataFrame,
    points: pd.Index,
    sign: float,
    bootstraps: int,
    rng: Any,
    orgs: int | None = None,
) -> tuple[list[float], list[float]]:
    """The 95 % paired-bootstrap interval of each arm's mean regret (see
    :func:`robustness`) over ``pairs``: the replications of each of ``points`` at which
    every arm has a value (rows ``(point, replication)``, a column per arm). NaN with no
    resamples or where a point has fewer than two such replications (a shard's folder, an
    interrupted sweep, failed runs). With ``orgs``, the organisations (replication mod
    ``orgs``) are resampled, each with its replications, and NaN where a point has fewer
    than two."""
    arms = pairs.shape[1]
    unit = (  # (what is resampled)
        org_of(pairs, orgs, index=("point", "replication"))
        if orgs is not None
        else pairs.index.get_level_values("replication").to_numpy()
    )
    point = pairs.index.get_level_values("point")
    have = pd.Series(unit).groupby(point).nunique().reindex(points, fill_value=0)
    if bootstraps < 1 or (have < 2).any():
        return [np.nan] * arms, [np.nan] * arms
    gen = np.random.default_rng(rng)
    total = np.zeros((bootstraps, arms))
    for _, block in pairs.groupby(level="point"):  # (a point at a time: memory of one point)
        v = sign * block.to_numpy(dtype=float)  # (replications, arms), all finite
        if orgs is None:
            pick = gen.integers(0, len(v), size=(bootstraps, len(v)))
            mean = v[pick].mean(axis=1)  # (bootstraps, arms)
        else:  # (the organisations' sums and sizes, resampled together)
            org = org_of(block, orgs, index=("point", "replication"))
            ids, where = np.unique(org, return_inverse=True)
            sums = np.zeros((len(ids), arms))
            np.add.at(sums, where, v)
            size = np.bincount(where).astype(float)
            pick = gen.integers(0, len(ids), size=(bootstraps, len(ids)))
            mean = sums[pick].sum(axis=1) / size[pick].sum(axis=1)[:, None]
        total += mean.max(axis=1, keepdims=True) - mean
    low, high = np.percentile(total / len(points), [2.5, 97.5], axis=0)
    return [float(x) for x in low], [float(x) for x in high]


def _org_notes(orgs: int | None, replications: int, points: int, of: int = 0) -> list[str]:
    """The notes on what the interval holds for (``orgs``: the scenario's; :func:`robustness`)
    and on a design of one point (``points``: those ranked, of ``of`` with values).

    >>> _org_notes(None, 4, 1, of=2)[0][:43]
    'one design point left (of 2): nothing to ra'
    """
    said = []
    if points == 1:
        left = f" left (of {of})" if of > 1 else ""
        said.append(
            f"one design point{left}: nothing to rank across points; the regret is each arm's"
            " shortfall from the best arm at that point (the report's paired contrasts give"
            " the differences with their intervals)"
        )
    if orgs == 1:
        said.append(
            "orgs = 1: each design point's replications ran on one organisation, so the"
            " interval (replications resampled) holds for those organisations, not for"
            " organisations in general"
        )
    elif nested(orgs, replications):
        said.append(
            f"orgs = {orgs}: the replications of a design point share {orgs} organisations, so"
            " the interval resamples organisations (each with its replications), not"
            " replications: it holds for organisations like these, and with few per point"
            " it is rough (a bootstrap of few organisations is, if anything, too narrow)"
        )
    return said


def _labels(outcomes: pd.DataFrame, arms: Sequence[str]) -> dict[int, str]:
    """Each design point in words by the last part of each swept path
    (``openness = 0.1, policy = open``; ``point 3`` without axes), with its number where
    points share their values (a sampled design that drew a value twice:
    ``policy = open (point 3)``)."""
    axes = axis_columns(outcomes)
    finished = ok_runs(outcomes)
    if not axes or finished.empty:
        return {}
    present = [a for a in arms if a in set(finished["arm"])]
    values = design_values(finished, present, axes)
    tails = [a.rsplit(".", 1)[-1] for a in axes]
    names = tails if len(set(tails)) == len(tails) else list(axes)
    said = {
        int(point): ", ".join(
            f"{n} = {short_value(at[a])}" for n, a in zip(names, axes, strict=True)
        )
        for point, at in values.items()
    }
    times = Counter(said.values())
    return {p: f"{text} (point {p})" if times[text] > 1 else text for p, text in said.items()}


_REPORT = ("report_section", "REPORT_METRICS")
"""Names of the report's robustness section (:mod:`simulator.report_robustness`) that were
this module's: still importable from here, on first use (that module imports this one)."""

if not TYPE_CHECKING:  # (mypy has no catch-all)

    def __getattr__(name: str) -> Any:
        """:data:`_REPORT`, from :mod:`simulator.report_robustness` on first use."""
        if name in _REPORT:
            from simulator import report_robustness

            return getattr(report_robustness, "robustness_section" if name == _REPORT[0] else name)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["RobustnessError", "direction", "robustness", "run_values", "shown", "verdict"]
