"""Outcomes a scenario defines: ``[outcomes]``, each one number per run read from its weekly
record (NetLogo BehaviorSpace's reporters, the EMA Workbench's outcomes of interest).

Each outcome names a per-step series (:data:`SERIES`) and says which number to take:

- ``at = k``: the value at week ``k`` (week 0 is the initial state);
- ``stat = "max" | "min" | "mean" | "sum"``: over the weeks ``from`` to ``until`` (both
  included; default the whole run);
- ``first_reaching = x``: the first week at which the series is at least ``x`` (NaN if never),
  on a series that rises from its start (not :data:`FALLING`).

``level = k`` takes a stage share (``non_user``, ``listener``, ``poster``) at hierarchy level
``k`` instead of overall (``0`` the top, ``-1`` the deepest level). The values come from the
run's full record, every week, whatever ``[record] every`` keeps. :func:`columns` computes
them; :func:`measure` says what each is (label, unit, kind: :mod:`simulator.measures`);
:func:`check` refuses, once the scenario is planned, weeks past a run's horizon, levels
deeper than its organisation and names already taken.

Examples
--------
>>> spec = Outcome.model_validate({"series": "poster", "first_reaching": 0.3})
>>> measure("weeks_to_30pct", spec).kind
'weeks'
>>> measure("posts_q1", Outcome(series="posts", stat="sum", until=13)).label
'Posts, sum over weeks 0 to 13'
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import ConfigDict, Field, ValidationInfo, field_validator, model_validator

from simulator.errors import did_you_mean
from simulator.measures import BOUNDED, KINDS, MEASURES, OUTCOMES, SERIES, Measure
from simulator.params import NoBoolNumbers, Params
from simulator.state import STAGES

if TYPE_CHECKING:
    from simulator.metrics import Recorder

STATS = ("max", "min", "mean", "sum")
"""What ``stat`` takes over the weeks."""
TAKES = ("at", "stat", "first_reaching")
"""How an outcome reads its series: exactly one of these."""
RESERVED = frozenset(
    {*OUTCOMES, "point", "arm", "replication", "attempt", "status", "error", "seconds", "seed"}
)
"""Names an outcome of a scenario cannot have: the built-in outcomes and the outcomes
table's other columns."""
FALLING: dict[str, str] = {
    "non_user": 'series = "listener" or "poster" (the shares who have left non-use),'
    ' or stat = "min"'
}
"""Series that start at their maximum and fall (everyone who does not start as a listener
or a poster is a non-user at week 0), each with what to read instead: ``first_reaching``,
the first week a series is at least a value, would be week 0 on them."""
NUMBERS = ("inf", "infinity")
"""Names that a condition (``orgsim discover --where``) reads as a number (infinity), in any
case: its grammar takes them from here."""
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
"""An outcome's name: a letter, then letters, digits and ``_`` (a column, a CLI word)."""


class Outcome(NoBoolNumbers):
    """``[outcomes] name = {series = ..., at | stat | first_reaching = ...}``: one outcome."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    series: str = Field(description="The per-step series read, e.g. poster, posts, reach.")
    at: int | None = Field(None, description="The value at this week (0: the start).", ge=0)
    stat: Literal[STATS] | None = Field(  # type: ignore[valid-type]
        None, description="max, min, mean or sum over the weeks from..until."
    )
    from_: int | None = Field(
        None, alias="from", description="With stat: the first week taken (default 0).", ge=0
    )
    until: int | None = Field(
        None, description="With stat: the last week taken (default the horizon).", ge=0
    )
    first_reaching: float | None = Field(
        None, description="The first week the series is at least this (NaN if never).", ge=0
    )
    level: int | None = Field(
        None,
        description="A stage share at this hierarchy level (0 the top, -1 the deepest).",
        ge=-1000,
        le=1000,
    )
    label: str | None = Field(
        None,
        description="How figures and exports name it (default: made from the rest).",
        min_length=1,
        max_length=200,
    )

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            raise ValueError(
                'must be a table such as { series = "poster", at = 26 } (keys: series and'
                " one of at, stat, first_reaching)"
            )
        keys = [f.alias or name for name, f in cls.model_fields.items()]
        for key in data:
            if key not in keys and key not in cls.model_fields:
                near = did_you_mean(str(key), keys)
                hint = f"did you mean {near!r}?" if near else f"the keys are {', '.join(keys)}"
                raise ValueError(f"unknown key {key!r}; {hint}")
        return data

    @field_validator("series")
    @classmethod
    def _a_series(cls, series: str) -> str:
        if series not in SERIES:
            near = did_you_mean(series, SERIES)
            hint = f"; did you mean {near!r}?" if near else ""
            raise ValueError(f"no such series{hint} (the series: {', '.join(SERIES)})")
        return series

    @field_validator("first_reaching", mode="before")
    @classmethod
    def _finite(cls, value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):  # (before ge=0: nan fails it)
            raise ValueError("must be a finite number, such as 0.3 for 30 % of people")
        return value

    @field_validator("first_reaching")
    @classmethod
    def _reachable(cls, value: float | None, info: ValidationInfo) -> float | None:
        series = info.data.get("series")  # (absent when it was refused itself)
        kind = MEASURES[series].kind if series in MEASURES else None
        if value is not None and series in FALLING:
            raise ValueError(
                f"{series} starts at its highest and falls, so the first week it is at least"
                f" {value:g} is week 0 (or none): first_reaching is the first week a rising"
                f" series reaches a value; use {FALLING[str(series)]}"
            )
        if value is not None and kind in BOUNDED and value > 1:
            raise ValueError(
                f"must be 0 to 1: {series} is {KINDS[str(kind)]}, and never reaches"
                f" {value:g} (30 % is 0.3)"
            )
        return value

    @model_validator(mode="after")
    def _one_way(self) -> Outcome:
        given = [key for key in TAKES if getattr(self, key) is not None]
        if len(given) != 1:
            what = " and ".join(f"{k} = {getattr(self, k)!r}" for k in given) or "none"
            raise ValueError(
                f"give exactly one of at, stat, first_reaching (here {what}): the value at a"
                " week, a statistic over the weeks, or the first week a level is reached"
            )
        if (self.from_ is not None or self.until is not None) and self.stat is None:
            raise ValueError("from and until go with stat (the weeks a statistic is taken over)")
        if self.from_ is not None and self.until is not None and self.from_ > self.until:
            raise ValueError(f"from = {self.from_} is after until = {self.until}")
        if self.level is not None and self.series not in STAGES:
            raise ValueError(
                f"level goes with a stage's share ({', '.join(STAGES)}), not {self.series!r}:"
                " only they are recorded by level"
            )
        return self

    def written(self) -> dict[str, Any]:
        """The outcome as a scenario file writes it (what the digest holds)."""
        return self.model_dump(by_alias=True, exclude_none=True)


# -- what each is ----------------------------------------------------------------------------
def measure(name: str, spec: Outcome) -> Measure:
    """The label, unit and kind of the outcome ``name`` (:mod:`simulator.measures`)."""
    base = MEASURES[spec.series]
    what = base.label
    if spec.level is not None:
        what += " at the deepest level" if spec.level == -1 else f" at level {spec.level}"
    if spec.first_reaching is not None:
        label = f"First week: {what[0].lower()}{what[1:]} at least {spec.first_reaching:g}"
        unit, kind = "weeks", "weeks"
    elif spec.at is not None:
        label, unit, kind = f"{what}, week {spec.at}", base.unit, base.kind
    else:
        end = "the end" if spec.until is None else str(spec.until)
        label = f"{what}, {spec.stat} over weeks {spec.from_ or 0} to {end}"
        unit, kind = base.unit, base.kind
        if spec.stat == "sum" and base.kind != "count":  # (shares summed: share-weeks)
            unit, kind = f"{base.unit.split(',')[0]}-weeks (weekly values summed)", "count"
    better = base.better if spec.first_reaching is None else _sooner(base.better)
    return Measure(name, spec.label or label, unit, kind, better)


def _sooner(better: str) -> str:
    """Which way the first week at a level is better, given the series' own way."""
    return {"higher": "lower", "lower": "higher"}.get(better, "")


def measures(outcomes: Mapping[str, Outcome]) -> dict[str, dict[str, str]]:
    """The measures of a scenario's outcomes as data (``outcomes.attrs["measures"]``)."""
    return {name: measure(name, spec).as_dict() for name, spec in outcomes.items()}


def of_manifest(manifest: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """:func:`measures` of the outcomes a results folder's scenario defines (its manifest)."""
    defined = manifest.get("scenario", {}).get("outcomes") or {}
    return measures({name: Outcome.model_validate(spec) for name, spec in defined.items()})


# -- checked against the plan ----------------------------------------------------------------
def check(
    outcomes: Mapping[str, Outcome],
    params: Iterable[Params],
    levels: int | None,
    *,
    horizon: tuple[int, str] | None = None,
    past: str = "the end of the run",
) -> list[str]:
    """Problems, a line each (``outcomes.<name>.<key> = value: ...``), of outcomes whose
    names are taken or whose weeks or level some run does not have: ``params`` are every
    run's parameters, ``levels`` the fewest levels an organisation of the plan can have
    (None: not known), ``horizon`` a shorter one than the ``params`` say and why, such as
    ``(2, "steps is swept from 2")`` (a design's steps axis, whatever it drew; an engine's
    weeks run so far), ``past`` what a later week is past (an engine's: "the weeks run so
    far").

    >>> late = {"w": Outcome(series="poster", at=5)}
    >>> print(*check(late, [Params()], None, horizon=(2, "steps is swept from 2")))
    ... # doctest: +NORMALIZE_WHITESPACE
    outcomes.w.at = 5: past the end of the run; at most 2
    (steps is swept from 2; week 0 is the start)
    """
    problems = []
    horizons = {p.steps for p in params}
    steps = min(horizons, default=None)
    shortest = "the shortest horizon of the runs" if len(horizons) > 1 else "the horizon, steps"
    if horizon is not None and (steps is None or horizon[0] <= steps):
        steps, shortest = horizon
    for name, spec in outcomes.items():
        if not NAME.fullmatch(name):
            problems.append(
                f"outcomes.{name if name.isidentifier() else repr(name)}: not a name for an"
                " outcome; use a letter, then letters, digits and _ (at most 64 characters),"
                " such as poster_w26"
            )
        elif name in RESERVED:
            problems.append(
                f"outcomes.{name}: {name!r} is a built-in outcome (or a column of the"
                " outcomes table) already; give this one another name, such as"
                f" {name}_{spec.at if spec.at is not None else spec.stat or 'first'}"
            )
        elif name.lower() in NUMBERS:
            problems.append(
                f"outcomes.{name}: {name!r} reads as a number (infinity) in a condition"
                " (orgsim discover --where); give this outcome another name"
            )
        for key in ("at", "from_", "until"):
            week = getattr(spec, key)
            if steps is not None and week is not None and week > steps:
                problems.append(
                    f"outcomes.{name}.{key.rstrip('_')} = {week}: past {past}; at"
                    f" most {steps} ({shortest}; week 0 is the start)"
                )
        if spec.level is not None and levels is not None and not -levels <= spec.level < levels:
            problems.append(
                f"outcomes.{name}.level = {spec.level}: the organisation has {levels} levels"
                f" (at the fewest); choose from 0 (the top) to {levels - 1}, or -1 to"
                f" -{levels} from the deepest"
            )
    return problems


def fewest_levels(size: int, units: int, span: int, jitter: int) -> int:
    """The fewest levels a generated organisation of these parameters can have (every
    manager with the widest span; :func:`simulator.orgchart.tree_by_spans`).

    >>> fewest_levels(1000, 6, 5, 2), fewest_levels(1, 6, 5, 2), fewest_levels(7, 6, 5, 2)
    (5, 1, 2)
    """
    placed, width, levels = 1, 1, 1
    while placed < size:
        width = units if levels == 1 else width * (span + jitter)
        placed, levels = placed + width, levels + 1
    return levels


def shrunk(
    outcomes: Mapping[str, Outcome], steps: int, *, keep_levels: bool = False
) -> dict[str, Outcome]:
    """The outcomes of a scenario's small version (:func:`simulator.scenario.reduced`):
    weeks at most ``steps``, levels among the top two or the deepest two (its organisation
    is made small), unless ``keep_levels`` (an org chart, which keeps its people and levels).

    >>> deep = {"w": Outcome(series="poster", at=40, level=3)}
    >>> shrunk(deep, 8)["w"].written(), shrunk(deep, 8, keep_levels=True)["w"].written()
    ({'series': 'poster', 'at': 8, 'level': 1}, {'series': 'poster', 'at': 8, 'level': 3})
    """
    out = {}
    for name, spec in outcomes.items():
        update: dict[str, Any] = {
            key: min(week, steps)
            for key in ("at", "from_", "until")
            if (week := getattr(spec, key)) is not None
        }
        if spec.level is not None and not keep_levels:
            update["level"] = min(spec.level, 1) if spec.level >= 0 else max(spec.level, -2)
        out[name] = spec.model_copy(update=update)
    return out


# -- computed --------------------------------------------------------------------------------
def columns(recorder: Recorder, outcomes: Mapping[str, Outcome]) -> dict[str, np.ndarray]:
    """Each outcome as an array of one value per replication (float; NaN where a run never
    reached ``first_reaching`` or has no such level), from the recorder's every week."""
    from simulator.metrics import first_reaching

    out = {}
    for name, spec in outcomes.items():
        values = weekly(recorder, spec)
        if spec.at is not None:
            out[name] = values[spec.at].astype(float)
        elif spec.first_reaching is not None:
            out[name] = first_reaching(values, spec.first_reaching)
        else:
            weeks = values[
                spec.from_ or 0 : (len(values) if spec.until is None else spec.until + 1)
            ]
            out[name] = getattr(weeks.astype(float), str(spec.stat))(axis=0)
    return out


def weekly(recorder: Recorder, spec: Outcome) -> np.ndarray:
    """The series an outcome reads, ``(steps + 1, R)``: a stage share (overall or at a
    level), an event count, reach or mean comfort."""
    if spec.series in STAGES:
        stage = STAGES.index(spec.series)
        if spec.level is None:
            return np.asarray(recorder.series("stages")[:, :, stage])
        levels = recorder.series("levels")  # (T, R, L, 3)
        if not -levels.shape[2] <= spec.level < levels.shape[2]:
            return np.full(levels.shape[:2], np.nan)
        return np.asarray(levels[:, :, spec.level, stage])
    return np.asarray(recorder.series(spec.series))


__all__ = [
    "Outcome",
    "check",
    "columns",
    "fewest_levels",
    "measure",
    "measures",
    "of_manifest",
    "shrunk",
]
