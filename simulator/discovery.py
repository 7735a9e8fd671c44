"""Scenario discovery: in which region of the swept parameters does a condition hold?

"Where does delegation do as well as modeling?", "where does the share posting stay below
20 %?": a condition on each run's outcomes (or on the paired difference between an arm and
the baseline, replication by replication) marks the runs of interest, and PRIM, the patient
rule induction method (Friedman & Fisher 1999), as scenario discovery uses it (Bryant &
Lempert 2010), finds a box of parameter ranges that holds many of them (coverage) and few
others (density). PRIM is the EMA Workbench's (:mod:`ema_workbench.analysis.prim`, the
optional extra ``orgsim[discover]``), imported only when a box is looked for.

Kwakkel's PRIM peels the box one step at a time and returns the whole peeling trajectory;
the box taken is the one of highest coverage among those whose density reaches a threshold
(else the densest, said so). Numeric axes are ranges; text and true/false axes are
categories (a box keeps a subset of them).

References: Friedman, J. H. & Fisher, N. I. (1999). Bump hunting in high-dimensional data.
Statistics and Computing 9, 123-143. Bryant, B. P. & Lempert, R. J. (2010). Thinking inside
the box: a participatory, computer-assisted approach to scenario discovery. Technological
Forecasting and Social Change 77, 34-49. Kwakkel, J. H. (2017). The Exploratory Modeling
Workbench. Environmental Modelling & Software 96, 239-250.

Examples
--------
>>> condition = parse_condition("poster < 0.2 and t10 <= 20", ["poster", "t10"])
>>> str(condition), condition.metrics
('poster < 0.2 and t10 <= 20', ['poster', 't10'])
"""

from __future__ import annotations

import importlib.util
import operator
import os
import re
import textwrap
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from simulator import measures
from simulator.analysis import axis_columns, design_values, ok_runs, once_each, paired_runs
from simulator.errors import SimulatorError, did_you_mean
from simulator.results import Results, axis_order, load, short_value
from simulator.sensitivity import numeric_outcomes

if TYPE_CHECKING:
    pass

OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
"""The comparisons a condition may use."""
INSTALL = "pip install -e '.[discover]' in the orgsim folder"
FILES = ("box.json", "box.csv", "trajectory.csv", "trajectory.png", "limits.png")
"""What :func:`simulator.discovery_plots.write_discovery` writes."""


class DiscoveryError(SimulatorError):
    """A question scenario discovery cannot answer as asked: names the argument (``where``,
    ``arm``, ``contrast``, ``threshold`` or ``results``), its value and what is allowed."""

    def __init__(self, argument: str, value: Any, problem: str) -> None:
        self.argument, self.value, self.problem = argument, value, problem
        given = f"{argument} = {value!r}" if value is not None else argument
        super().__init__(f"{given}: {problem}")


class MissingExtraError(SimulatorError):
    """The EMA Workbench, which scenario discovery uses, is not installed."""


# -- conditions ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Clause:
    """``metric op value``, such as ``poster < 0.2``."""

    metric: str
    op: str
    value: float

    def __str__(self) -> str:
        return f"{self.metric} {self.op} {self.value:g}"

    def holds(self, values: Any) -> np.ndarray:
        """Where the clause holds (never where a value is NaN)."""
        with np.errstate(invalid="ignore"):
            return np.asarray(OPERATORS[self.op](np.asarray(values, dtype=float), self.value))


@dataclass(frozen=True)
class Condition:
    """Clauses joined by ``and``."""

    clauses: tuple[Clause, ...]

    def __str__(self) -> str:
        return " and ".join(map(str, self.clauses))

    @property
    def metrics(self) -> list[str]:
        """The metrics the condition reads, each once."""
        return list(dict.fromkeys(c.metric for c in self.clauses))

    def holds(self, table: pd.DataFrame) -> np.ndarray:
        """Where every clause holds, row by row of ``table`` (a column per metric)."""
        found = np.ones(len(table), dtype=bool)
        for clause in self.clauses:
            found &= clause.holds(table[clause.metric])
        return found


_TOKEN = re.compile(
    r"\s*(?:(?P<number>[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
    r"|(?i:inf(?:inity)?)(?![\w.])))"
    r"|(?P<op><=|>=|==|!=|=<|=>|<|>|=)|(?P<word>[A-Za-z_][A-Za-z0-9_.]*)|(?P<other>\S))"
)
EXAMPLE = "e.g. 'poster < 0.2' or 'poster > -0.05 and t10 <= 20'"


def parse_condition(text: str, metrics: Sequence[str], argument: str = "where") -> Condition:
    """Read a condition: ``metric op number``, clauses joined by ``and``; ``op`` is one of
    ``<``, ``<=``, ``>``, ``>=``. Nothing is evaluated: a tiny grammar, read token by token.

    The number may be ``inf`` or ``-inf``: weeks to a milestone never reached count as
    later than any week (:func:`question`), so ``t50 < inf`` holds for the runs that
    reached it and ``t50 >= inf`` for those that did not (with a contrast, ``inf`` is
    a pair in which only the baseline reached it, ``-inf`` one in which only the arm did).

    Parameters
    ----------
    text : str
        The condition, such as ``"poster < 0.2"`` (shares are fractions: 0.2 is 20 %).
    metrics : sequence of str
        The metrics it may name.
    argument : str
        The argument's name in error messages.

    Raises
    ------
    DiscoveryError
        Naming the argument, the text and what is allowed (the closest metric for a typo).
    """

    def fail(problem: str) -> DiscoveryError:
        return DiscoveryError(argument, text, problem)

    tokens = [(m.lastgroup, m.group(m.lastgroup or 0)) for m in _TOKEN.finditer(str(text))]
    if not tokens:
        raise fail(
            f"an empty condition; write a metric, one of <, <=, >, >= and a number, {EXAMPLE}"
        )
    clauses: list[Clause] = []
    i = 0

    def take(kind: str, what: str) -> str:
        nonlocal i
        if i >= len(tokens):
            raise fail(f"it ends where {what} should come ({EXAMPLE})")
        got_kind, got = tokens[i]
        if got_kind != kind:
            raise fail(f"expected {what}, found {got!r} ({EXAMPLE})")
        i += 1
        return got

    while True:
        metric = take("word", "a metric")
        if metric not in metrics:
            near = did_you_mean(metric, metrics)
            hint = f" (did you mean {near!r}?)" if near else ""
            raise fail(f"unknown metric {metric!r}{hint}; the metrics are {', '.join(metrics)}")
        if i < len(tokens) and tokens[i][0] == "op" and tokens[i][1] not in OPERATORS:
            op, after = tokens[i][1], tokens[i + 1] if i + 1 < len(tokens) else ("", "")
            use = ""
            if after[0] == "number" and np.isinf(float(after[1])):  # t50 = inf: never reached
                up = float(after[1]) > 0
                better = ("<" if up else ">") if "!" in op else (">=" if up else "<=")
                use = f"; for {metric} {op} {after[1]} write {metric} {better} {after[1]}"
            raise fail(
                f"{op!r} is not a comparison PRIM can use: use one of <, <=, >, >="
                f" (a box holds a range of values){use}"
            )
        op = take("op", f"one of <, <=, >, >= after {metric!r}")
        number = take("number", f"a number after {metric} {op}")
        if i < len(tokens) and tokens[i][1] == "%":
            raise fail(f"write a share as a fraction: {float(number) / 100:g} for {number} %")
        clauses.append(Clause(metric, op, float(number)))
        if i == len(tokens):
            return Condition(tuple(clauses))
        joiner = tokens[i][1]
        if joiner.lower() in ("or", "not", "(", ")", "|", "&&", "||"):
            raise fail(f"only 'and' joins clauses, not {joiner!r}")
        take("word", "'and' or the end")
        if joiner.lower() != "and":
            raise fail(f"expected 'and' or the end after {clauses[-1]}, found {joiner!r}")


# -- the question: x (swept values) and y (the condition) ------------------------------------
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
        The condition (:func:`parse_condition`) on a run's outcomes, or with ``contrast`` on
        the paired differences.
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
    notes: list[str] = []
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
        raise DiscoveryError(
            "results",
            source,
            f"only {', '.join(x.columns) or 'no parameter'} varies over the {_unit(baseline)}"
            f" of {arm}: PRIM needs a sampled or grid design with two or more varying"
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
        hint = f"did you mean {near!r}? " if near else ""
        raise DiscoveryError(argument, name, f"no such arm; {hint}The arms are {listed}")
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


# -- PRIM ------------------------------------------------------------------------------------
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


def discover(
    results: Results | str | os.PathLike[str],
    where: str,
    *,
    arm: str | None = None,
    contrast: str | None = None,
    threshold: float = 0.8,
    peel_alpha: float = 0.05,
    paste_alpha: float = 0.05,
    mass_min: float = 0.05,
) -> Discovery:
    """Scenario discovery with PRIM: the box of swept-parameter ranges where ``where`` holds.

    Parameters
    ----------
    results, where, arm, contrast
        The question (see :func:`question`).
    threshold, peel_alpha, paste_alpha, mass_min : float
        How PRIM looks and which box is taken (see :func:`run_prim`).

    Returns
    -------
    Discovery

    Raises
    ------
    DiscoveryError
        For a question that cannot be answered (see :func:`question`), or a bad setting.
    MissingExtraError
        When the EMA Workbench is not installed (``pip install -e '.[discover]'``).
    """
    require_prim()
    q = question(results, where, arm=arm, contrast=contrast)
    return run_prim(
        q, threshold=threshold, peel_alpha=peel_alpha, paste_alpha=paste_alpha, mass_min=mass_min
    )


def run_prim(
    q: Question,
    *,
    threshold: float = 0.8,
    peel_alpha: float = 0.05,
    paste_alpha: float = 0.05,
    mass_min: float = 0.05,
) -> Discovery:
    """PRIM (the EMA Workbench's ``Prim(x, y).find_box()``) on a :class:`Question`, and the
    box taken from its peeling trajectory.

    Parameters
    ----------
    q : Question
        From :func:`question`.
    threshold : float
        The density the box should reach (0 to 1): of the boxes on the peeling trajectory
        with at least this share of their runs meeting the condition, the one with the
        highest coverage is taken (:func:`choose_box`); if none reaches it, the densest.
    peel_alpha, paste_alpha, mass_min : float
        PRIM's share of the runs peeled off a side at each step, pasted back, and the
        smallest box (as a share of all runs) it peels down to (the Workbench's defaults).
    """
    for name, value, top in (
        ("threshold", threshold, 1.0),
        ("peel_alpha", peel_alpha, 0.5),
        ("paste_alpha", paste_alpha, 0.5),
        ("mass_min", mass_min, 1.0),
    ):
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not (number and 0 < value <= top):
            raise DiscoveryError(name, value, f"must be a number above 0 and at most {top:g}")
    prim = prim_module()
    with warnings.catch_warnings():  # (the Workbench's own pandas deprecations)
        warnings.simplefilter("ignore")
        algorithm = prim.Prim(
            q.x.reset_index(drop=True),
            q.y,
            peel_alpha=peel_alpha,
            paste_alpha=paste_alpha,
            mass_min=mass_min,
        )
        box = algorithm.find_box()
    columns = ["coverage", "density", "mass", "n", "k", "res_dim"]
    trajectory = box.peeling_trajectory[columns].astype(
        {"coverage": float, "density": float, "mass": float, "n": int, "k": int, "res_dim": int}
    )
    trajectory.index.name = "box"
    chosen, reached = choose_box(trajectory, threshold)
    box.select(chosen)
    import ema_workbench

    settings = {
        "package": f"ema_workbench {ema_workbench.__version__}",
        "peel_alpha": peel_alpha,
        "paste_alpha": paste_alpha,
        "mass_min": mass_min,
        "threshold": threshold,
    }
    limits = _limits(q.x, box.box_lims[0], box.box_lims[chosen], box.p_values[chosen])
    notes = [*q.notes, *_weak(limits)]
    return Discovery(q, trajectory, chosen, threshold, reached, limits, settings, notes, box)


SIGNIFICANT = 0.05
"""A restriction whose quasi-p-value is above this is said to be weak (as the Workbench's
``prim_util.is_significant`` judges a box)."""


def _weak(limits: pd.DataFrame) -> list[str]:
    """A note per restriction that is not significant: the box does about as well without."""
    notes = []
    for r in limits[limits["restricted"]].to_dict("records"):
        worst = np.nanmax([r["qp_low"], r["qp_high"]])
        if worst > SIGNIFICANT:
            notes.append(
                f"the restriction of {r['parameter']} is not significant (quasi-p"
                f" {worst:.2g} > {SIGNIFICANT:g}): the box holds about as well without it"
            )
    return notes


def choose_box(trajectory: pd.DataFrame, threshold: float) -> tuple[int, bool]:
    """The box of highest coverage among those of density ``threshold`` or more (ties: the
    denser, then the fewer restrictions), and True; else the densest (ties: the higher
    coverage), and False.

    >>> t = pd.DataFrame({"coverage": [1, .9, .7, .5], "density": [.3, .6, .85, .95],
    ...                   "res_dim": [0, 1, 2, 2]})
    >>> choose_box(t, 0.8), choose_box(t, 0.99)
    ((2, True), (3, False))
    """
    dense = trajectory[trajectory["density"] >= threshold]
    if not dense.empty:
        order = dense.sort_values(
            ["coverage", "density", "res_dim"], ascending=[False, False, True], kind="stable"
        )
        return int(order.index[0]), True
    order = trajectory.sort_values(["density", "coverage"], ascending=False, kind="stable")
    return int(order.index[0]), False


def _limits(
    x: pd.DataFrame, initial: pd.DataFrame, lims: pd.DataFrame, qp: dict[str, list[float]]
) -> pd.DataFrame:
    """A row per parameter: the box's range against the values run, and its quasi-p-values.

    A numeric limit is moved in to the nearest value run (PRIM's may fall between two: 3.5
    for a whole-number axis, 0.35 on a grid of 0.2 and 0.5); the box keeps the same runs.
    Categories keep the scenario's order."""
    rows = []
    for axis in x.columns:
        p = [np.nan if v is None or v < 0 else float(v) for v in qp.get(axis, [-1, -1])]
        first: Any = initial.at[0, axis]
        if isinstance(first, set):
            inside: Any = lims.at[0, axis]
            seen = list(pd.unique(x[axis]))  # (in the order of the design points)
            listed = [v for v in x.attrs.get("order", {}).get(axis, []) if v in seen]
            ran = listed + [v for v in seen if v not in listed]
            ran = sorted(ran) if pd.api.types.is_bool_dtype(x[axis]) and not listed else ran
            swept = [v for v in ran if v in first] + sorted(set(first) - set(ran), key=str)
            kept = [v for v in swept if v in inside]
            rows.append(
                {
                    "parameter": axis,
                    "kind": "category",
                    "restricted": kept != swept,
                    "in_box": kept,
                    "swept": swept,
                    "qp_low": p[0],
                    "qp_high": np.nan,
                }
            )
            continue
        low: Any = lims.at[0, axis]
        high: Any = lims.at[1, axis]
        swept_low, swept_high = first, initial.at[1, axis]
        run = x[axis].to_numpy(dtype=float)
        low = run[run >= low].min() if (run >= low).any() else low
        high = run[run <= high].max() if (run <= high).any() else high
        rows.append(
            {
                "parameter": axis,
                "kind": "number",
                "restricted": bool(low != swept_low or high != swept_high),
                "low": low,
                "high": high,
                "swept_low": swept_low,
                "swept_high": swept_high,
                "qp_low": p[0] if low != swept_low else np.nan,
                "qp_high": p[1] if high != swept_high else np.nan,
            }
        )
    table = pd.DataFrame(rows)
    order = np.argsort(~table["restricted"].to_numpy(dtype=bool), kind="stable")
    return table.iloc[order].reset_index(drop=True)


def require_prim() -> None:
    """Refuse at once, saying how to install it, when the EMA Workbench is missing (without
    importing it: that takes seconds)."""
    try:
        found = importlib.util.find_spec("ema_workbench") is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        raise MissingExtraError(
            "scenario discovery uses PRIM from the EMA Workbench (ema_workbench), which is"
            f" not installed: install it with {INSTALL}"
        )


def prim_module() -> ModuleType:
    """:mod:`ema_workbench.analysis.prim`, imported now (quietly: the Workbench warns of
    optional packages it does without)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from ema_workbench.analysis import prim
    except ImportError as err:
        raise MissingExtraError(
            f"scenario discovery uses PRIM from the EMA Workbench, which cannot be imported"
            f" ({err}): install it with {INSTALL}"
        ) from err
    return prim
