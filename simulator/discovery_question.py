"""The question scenario discovery asks of a results folder: PRIM's ``x`` and ``y``.

A row per finished run of one arm, or with a contrast per pair (an arm and the baseline, the
scenario's first arm, at the same design point and replication, both finished; values are
``arm - baseline``): ``x`` holds the swept values that vary (numbers as numbers, text and
true/false as categories), ``y`` whether the condition (:mod:`simulator.discovery_condition`)
holds. Weeks to a level never reached count as later than any week (``inf``); any other
missing value leaves its row out. Every row and axis left out is said in the notes (first,
that of a folder whose sweep has not finished, as the report says it), and a
question PRIM cannot answer (too few varying axes, a condition that holds everywhere or
nowhere) is refused with a :class:`~simulator.discovery_condition.DiscoveryError` that says
why.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulator import measures
from simulator.analysis import axis_columns, design_values, ok_runs, once_each, paired_runs
from simulator.discovery_condition import Condition, DiscoveryError, parse_condition
from simulator.errors import did_you_mean
from simulator.results import Results, axis_order, load, partial_note, short_value
from simulator.sensitivity import numeric_outcomes


@dataclass
class Question:
    """What PRIM is asked: one row per run (``arm``) or per pair (``contrast``).

    Attributes
    ----------
    condition : Condition
    arm : str
        The arm whose runs are asked about, or the arm contrasted with ``baseline``.
    baseline : str or None
        With a contrast, the baseline arm: values are ``arm - baseline`` per pair.
    x : DataFrame
        The swept values of each run or pair (index ``point``, ``replication``), only the
        axes that vary.
    y : ndarray of bool
        Where the condition holds.
    values : DataFrame
        The metric values (or paired differences) the condition was tested on.
    notes : list of str
        Rows and axes left out, and why.
    """

    condition: Condition
    arm: str
    baseline: str | None
    x: pd.DataFrame
    y: np.ndarray
    values: pd.DataFrame
    notes: list[str]
    source: str = ""

    @property
    def unit(self) -> str:
        return "pairs" if self.baseline is not None else "runs"

    def __str__(self) -> str:
        who = f"{self.arm} - {self.baseline}" if self.baseline is not None else self.arm
        return f"{who}: {self.condition}"


def question(
    results: Results | str | os.PathLike[str],
    where: str,
    *,
    arm: str | None = None,
    contrast: str | None = None,
) -> Question:
    """The runs (or pairs) of a results folder as PRIM's ``x`` and ``y``, checked.

    Parameters
    ----------
    results : Results or path
        A results folder, or one loaded (:func:`simulator.results.load`).
    where : str
        The condition (:func:`~simulator.discovery_condition.parse_condition`) on a run's
        outcomes, or with ``contrast`` on the paired differences.
    arm : str, optional
        Ask about this arm's finished runs (default: the only arm).
    contrast : str, optional
        Ask about this arm minus the scenario's baseline arm (its first), pair by pair: the
        runs of the same design point and replication, both finished (as
        :func:`simulator.analysis.contrasts` pairs them).

    Weeks to a level that a run never reached (a milestone, ``t10``, ``t50``, ``t90``, or a
    scenario's own ``first_reaching`` outcome: a measure of kind ``weeks``) count as later
    than any week (a pair in which neither arm reached it is left out); other missing values
    leave their row out, said in ``notes``.
    """
    if not isinstance(results, Results):
        results = load(Path(results), levels="last")
    outcomes = results.outcomes
    once_each(outcomes)
    attrs = outcomes.attrs  # (the scenario's own outcomes' measures: which are weeks)
    arms, source = results.arms, str(results.path)
    base = arms[0]
    arm, baseline = _which_arm(arms, arm, contrast)
    finished = ok_runs(outcomes)
    if finished.empty:
        raise DiscoveryError(
            "results",
            source,
            f"no run has finished here yet ({len(outcomes):,} failed): run the sweep again to"
            " resume",
        )
    axes = axis_columns(outcomes)
    points = len(results.points) or int(outcomes["point"].nunique())
    if len(axes) < 2 or points < 2:
        swept = ", ".join(axes) if axes else "no parameter"
        raise DiscoveryError(
            "results",
            source,
            f"this folder's design sweeps {swept} over {points} design point(s): PRIM needs a"
            " sampled or grid design with two or more varying parameters (kind = 'lhs',"
            " 'montecarlo', 'sobol', 'morris' or a grid of two axes or more); for one axis,"
            " 'orgsim report' draws the outcomes against it",
        )
    mine = finished[finished["arm"] == arm]
    if mine.empty:
        failed = int((outcomes["arm"] == arm).sum())
        raise DiscoveryError(
            "results",
            source,
            f"no finished run of arm {arm!r} ({failed} failed): run the sweep again to resume",
        )
    condition = parse_condition(where, numeric_outcomes(finished))
    partial = partial_note(results, "The box")
    notes: list[str] = [partial] if partial else []
    key = ["point", "replication"]
    if baseline is None:
        values = _as_numbers(mine.set_index(key)[condition.metrics], notes, "runs", attrs)
        x = mine.set_index(key)[axes]
        lost = int((outcomes["arm"] == arm).sum()) - len(mine)
        if lost:
            notes.append(f"{lost} run(s) of {arm} failed: left out")
    else:
        theirs, ours = paired_runs(finished, baseline, arm, condition.metrics, key)
        theirs, ours = theirs.sort_index(), ours.sort_index()
        paired = ours.index
        if paired.empty:
            raise DiscoveryError(
                "contrast", arm, f"no pair of {arm} and {baseline} has both runs finished"
            )
        either = outcomes[outcomes["arm"].isin([arm, baseline])].set_index(key).index.unique()
        if len(either) > len(paired):
            notes.append(
                f"{len(either) - len(paired)} pair(s) of {arm} and {baseline} left out: a run of"
                " one arm failed (or is not run yet)"
            )
        ours = _as_numbers(ours, notes, f"runs of {arm}", attrs)
        theirs = _as_numbers(theirs, notes, f"runs of {baseline}", attrs)
        with np.errstate(invalid="ignore"):
            values = ours - theirs  # (inf - inf, neither reached a milestone: NaN)
        design = design_values(finished, [base, arm], axes)
        x = pd.DataFrame([design[p] for p in paired.get_level_values("point")], index=paired)
        x = x[axes]
    missing = values.isna().any(axis=1).to_numpy()
    if missing.any():
        why = (
            "neither arm reached the milestone"
            if baseline is not None
            and all(measures.kind(m, attrs) == "weeks" for m in condition.metrics)
            else "a metric has no value"
        )
        notes.append(f"{int(missing.sum())} {_unit(baseline)} left out: {why}")
        values, x = values[~missing], x[~missing]
    x = _varying(x, notes, arm, baseline)
    x.attrs["order"] = axis_order(results.manifest)  # (categories: as the scenario lists them)
    if x.shape[1] < 2:
        left = "".join(f" ({note})" for note in notes if " left out: " in note)
        raise DiscoveryError(
            "results",
            source,
            f"only {', '.join(x.columns) or 'no parameter'} varies over the {_unit(baseline)}"
            f" of {arm}{left}: PRIM needs a sampled or grid design with two or more varying"
            " parameters",
        )
    y = condition.holds(values)
    if y.all() or not y.any():
        some = "every one" if y.all() else "none"
        ranges = "; ".join(_spread(m, values[m]) for m in condition.metrics)
        diff = f" {arm} - {baseline}" if baseline is not None else ""
        raise DiscoveryError(
            "where",
            where,
            f"holds for {some} of the {len(y):,} {_unit(baseline)} of{diff or ' ' + arm}"
            f" ({ranges}{' as differences' if diff else ''}): PRIM needs some where it holds"
            " and some where it does not",
        )
    return Question(condition, arm, baseline, x, y, values, notes, source)


def _which_arm(arms: list[str], arm: str | None, contrast: str | None) -> tuple[str, str | None]:
    """The arm asked about and, with a contrast, the baseline (the first arm)."""
    listed = ", ".join(f"{a!r}{' (the baseline)' if i == 0 else ''}" for i, a in enumerate(arms))
    if arm is not None and contrast is not None:
        raise DiscoveryError(
            "contrast",
            contrast,
            "give either arm (one arm's runs) or contrast (an arm minus the baseline), not both",
        )
    name, argument = (contrast, "contrast") if contrast is not None else (arm, "arm")
    if name is None:
        if len(arms) == 1:
            return arms[0], None
        raise DiscoveryError(
            "arm",
            None,
            f"the results have the arms {listed}: name one arm to ask about its runs, or"
            " contrast an arm with the baseline pair by pair",
        )
    if name not in arms:
        near = did_you_mean(name, arms, cutoff=0.5)
        hint = f"did you mean {near!r}? The" if near else "the"
        raise DiscoveryError(argument, name, f"no such arm; {hint} arms are {listed}")
    if contrast is not None:
        if name == arms[0] and len(arms) == 1:
            raise DiscoveryError(
                "contrast",
                name,
                "these results have one arm, so there is nothing to contrast it with: ask"
                " about its runs (--arm, or neither)",
            )
        if name == arms[0]:
            others = ", ".join(map(repr, arms[1:]))
            raise DiscoveryError(
                "contrast",
                name,
                f"that is the baseline arm, which the contrast subtracts: contrast one of {others}",
            )
        return name, arms[0]
    return name, None


def _spread(metric: str, values: pd.Series) -> str:
    """How far ``metric`` went over the runs, in words (a milestone never reached is inf)."""
    finite = values[np.isfinite(values.to_numpy(dtype=float))]
    if finite.empty:
        return f"{metric} was reached in none of them"
    low, high = short_value(float(finite.min())), short_value(float(finite.max()))
    unreached = len(values) - len(finite)
    never = f", not reached in {unreached:,}" if unreached else ""
    return f"{metric} is {low} to {high}{never}"


def _unit(baseline: str | None) -> str:
    return "pairs" if baseline is not None else "runs"


def _as_numbers(
    values: pd.DataFrame, notes: list[str], unit: str, attrs: Mapping[Any, Any]
) -> pd.DataFrame:
    """The metrics as floats; weeks to a level never reached as infinity (later than any
    week): any measure of kind ``weeks``, a milestone or a scenario's own ``first_reaching``
    outcome (``attrs``: the outcomes table's, whose ``measures`` are the scenario's own)."""
    values = values.astype("float64")
    for m in values.columns:
        if measures.kind(m, attrs) == "weeks" and values[m].isna().any():
            never = int(values[m].isna().sum())
            notes.append(f"{m}: {never} {unit} never reached it; counted as later than any week")
            values[m] = values[m].fillna(np.inf)
    return values


def _varying(x: pd.DataFrame, notes: list[str], arm: str, baseline: str | None) -> pd.DataFrame:
    """The axes that vary, typed for PRIM: numbers stay numbers (whole numbers as int64),
    true/false and text become categories (an axis with a missing value: text)."""
    kept = {}
    for axis in x.columns:
        column = x[axis]
        if column.nunique(dropna=False) < 2:
            value = column.iloc[0] if len(column) else None
            notes.append(
                f"{axis} is {_show(value)} in every {_unit(baseline)[:-1]} of {arm}: left out"
                " (only what varies can be restricted)"
            )
            continue
        if column.isna().any():
            kept[axis] = column.map(_show).astype(object)
        elif pd.api.types.is_bool_dtype(column):
            kept[axis] = column.astype(bool)
        elif pd.api.types.is_numeric_dtype(column):  # (whole numbers too: PRIM pastes 3.5)
            kept[axis] = column.astype("float64")
        else:
            kept[axis] = column.map(_show).astype(object)
    return pd.DataFrame(kept, index=x.index)


def _show(value: Any) -> str:
    """A value as the scenario files write it: ``true``, ``none``, ``0.35``, ``open``."""
    if value is None or (np.ndim(value) == 0 and pd.isna(value)):
        return "none"
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, np.generic):
        value = value.item()
    return short_value(value)
