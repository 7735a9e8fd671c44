"""The condition language of scenario discovery: which runs are of interest.

``orgsim discover --where`` takes a condition on a run's outcomes (or, with a contrast, on
the paired differences): ``metric op number``, clauses joined by ``and``, ``op`` one of
``<``, ``<=``, ``>``, ``>=`` (a box holds a range of values, so ``=`` and ``!=`` are
refused). It is read token by token by a tiny grammar, never evaluated. The number may be
``inf`` or ``-inf``: weeks to a milestone never reached count as later than any week.

:class:`DiscoveryError`, the error of a question scenario discovery cannot answer as asked,
is here too: the condition is the first thing read.

Examples
--------
>>> condition = parse_condition("poster < 0.2 and t50 >= inf", ["poster", "t50"])
>>> str(condition), condition.metrics
('poster < 0.2 and t50 >= inf', ['poster', 't50'])
>>> import pandas as pd
>>> condition.holds(pd.DataFrame({"poster": [0.1, 0.1, 0.3], "t50": [float("inf"), 12, None]}))
array([ True, False, False])
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simulator.custom_outcomes import NUMBERS
from simulator.errors import SimulatorError, did_you_mean

OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
"""The comparisons a condition may use."""


class DiscoveryError(SimulatorError):
    """A question scenario discovery cannot answer as asked: names the argument (``where``,
    ``arm``, ``contrast``, ``threshold`` or ``results``), its value and what is allowed."""

    def __init__(self, argument: str, value: Any, problem: str) -> None:
        self.argument, self.value, self.problem = argument, value, problem
        given = f"{argument} = {value!r}" if value is not None else argument
        super().__init__(f"{given}: {problem}")


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


_INFINITY = "|".join(sorted(NUMBERS, key=len, reverse=True))  # (the longest first)
_TOKEN = re.compile(
    r"\s*(?:(?P<number>[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
    rf"|(?i:{_INFINITY})(?![\w.])))"
    r"|(?P<op><=|>=|==|!=|=<|=>|<|>|=)|(?P<word>[A-Za-z_][A-Za-z0-9_.]*)|(?P<other>\S))"
)
EXAMPLE = "e.g. 'poster < 0.2' or 'poster > -0.05 and t10 <= 20'"


def parse_condition(text: str, metrics: Sequence[str], argument: str = "where") -> Condition:
    """Read a condition: ``metric op number``, clauses joined by ``and``; ``op`` is one of
    ``<``, ``<=``, ``>``, ``>=``. Nothing is evaluated: a tiny grammar, read token by token.

    The number may be ``inf`` or ``-inf``: weeks to a milestone never reached count as
    later than any week (:func:`~simulator.discovery_question.question`), so ``t50 < inf``
    holds for the runs that reached it and ``t50 >= inf`` for those that did not (with a
    contrast, ``inf`` is a pair in which only the baseline reached it, ``-inf`` one in which
    only the arm did).

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
            if np.isinf(float(number)):
                raise fail(f"{number} is not a share: write {metric} {op} {number}, without %")
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
