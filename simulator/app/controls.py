"""The workshop's controls, derived from the parameter definitions in :mod:`simulator.params`.

Labels, units, bounds, choices and help texts come from the fields; this module only says
*which* parameters the room gets, in what order, and, for a few whose valid range is far wider
than a workshop needs (an organisation of up to five million people), a narrower room range
inside the valid one (a test checks it is inside). Typed values (``path = value``) are checked
by the parameter model itself, so a value out of range gets the same one-line message as on
the command line.

Examples
--------
>>> spec = control("culture.openness")
>>> spec.label, spec.unit, spec.low, spec.high, spec.kind
('Openness and trust', '0-1', 0.0, 1.0, 'float')
>>> control("culture.policy").choices
('restrictive', 'neutral', 'open')
>>> parse_setting("culture.openness = 1.5")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
simulator.app.controls.SettingError: culture.openness = 1.5: must be between 0 and 1 ...
"""

from __future__ import annotations

import decimal
import json
import typing
from dataclasses import dataclass
from typing import Any

import pydantic

from simulator.errors import SimulatorError, describe
from simulator.paramdoc import bounds
from simulator.params import Params, field_info, get_path, setting_value

WORKSHOP: tuple[str, ...] = (
    "culture.openness",
    "culture.policy",
    "responses.leader_criticism_multiplier",
    "responses.pullback_rate",
    "leaders.rate",
    "leaders.levels",
    "delegation.mode",
    "delegation.endorsement",
    "attention.silent_leaders_count",
    "org.size",
    "org.span",
    "org.units",
    "org.lateral_across",
    "steps",
)
"""The parameters the page offers as controls, in order."""

ROOM_RANGE: dict[str, tuple[float, float]] = {
    "org.size": (50, 3000),
    "org.span": (2, 20),
    "org.units": (1, 20),
    "org.lateral_across": (0, 5),
    "responses.leader_criticism_multiplier": (0, 20),
    "leaders.rate": (0, 10),
    "leaders.levels": (0, 6),
    "steps": (4, 156),
}
"""Slider ranges narrower than the valid bounds, where those are far wider than a room needs."""

PAGE_LIMITS: dict[str, float] = {"org.size": 20_000, "steps": 520}
"""Largest values the page accepts (typed), so that it stays interactive."""


class SettingError(SimulatorError):
    """A typed setting the page cannot apply (shown as a message, never a traceback)."""


@dataclass(frozen=True)
class Control:
    """One control: everything the page needs to draw a slider, switch or choice."""

    path: str
    label: str
    unit: str
    doc: str
    kind: str  # "int", "float", "bool" or "choice"
    default: Any
    low: float | None = None
    high: float | None = None
    step: float | None = None
    choices: tuple[str, ...] = ()

    @property
    def caption(self) -> str:
        return f"{self.label} ({self.unit})" if self.unit else self.label

    def slider(self, value: float) -> tuple[float, float, float]:
        """Minimum, maximum and step of a slider that shows ``value`` exactly.

        A browser slider (Vuetify's) clamps its value into its range and rounds it to its
        step, then sends what it shows back, which the page would apply: a typed
        ``org.size = 10000`` became 3,000 and ``culture.openness = 0.555`` became 0.56. So
        the range is widened to take the value and, when the value is off the step's grid,
        the step is made as fine as the value's decimals (whole numbers for an int; no
        rounding at all past six decimals, where the browser writes a step in exponent form).

        >>> control("org.size").slider(1000), control("org.size").slider(1234)
        ((50.0, 3000.0, 10.0), (50.0, 3000.0, 1.0))
        >>> control("culture.openness").slider(0.555)
        (0.0, 1.0, 0.001)
        """
        assert self.low is not None and self.high is not None and self.step is not None
        low, high = float(min(self.low, value)), float(max(self.high, value))
        if _on_grid(value, low, self.step):
            return low, high, self.step
        if self.kind == "int":
            return low, high, 1.0
        places = max(_places(value), _places(low))
        return low, high, 10.0**-places if places <= MAX_PLACES else 0.0

    def shown(self, value: Any) -> str:
        """The label with the current value, e.g. ``Openness and trust: 0.5 (0-1)``."""
        text = f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else value
        if isinstance(value, float):  # short, unless that would hide a typed digit
            text = f"{value:g}" if float(f"{value:g}") == value else repr(value)
        unit = f" ({self.unit})" if self.unit and self.kind in ("int", "float") else ""
        return f"{self.label}: {text}{unit}"


MAX_PLACES = 6
"""Finest slider step, in decimal places, that the browser still writes as ``0.000001``."""


def _places(x: float) -> int:
    """Decimal places of ``x`` as Python writes it (0.555 has 3, 1e-07 has 7, 30.0 has 0)."""
    exponent = decimal.Decimal(repr(float(x))).normalize().as_tuple().exponent
    return max(0, -int(exponent))


def _on_grid(value: float, low: float, step: float) -> bool:
    """Whether the browser's slider keeps ``value``: it rounds to ``low % step + k * step``."""
    d = [decimal.Decimal(repr(float(x))) for x in (value, low, step)]
    return (d[0] - d[1] % d[2]) % d[2] == 0


def control(path: str) -> Control:
    """The control of the parameter at ``path``, from its field definition."""
    info = field_info(path)
    if info is None:
        raise SettingError(f"{path}: unknown parameter")
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    label, unit, doc = str(extra.get("label", path)), str(extra.get("unit", "")), info.description
    default = get_path(Params(), path)
    annotation = info.annotation
    if typing.get_origin(annotation) is typing.Literal:
        choices = tuple(str(a) for a in typing.get_args(annotation))
        return Control(path, label, unit, doc or "", "choice", default, choices=choices)
    if annotation is bool:
        return Control(path, label, unit, doc or "", "bool", default)
    lo, _, hi, _ = bounds(info)
    room = ROOM_RANGE.get(path)
    if room is not None:
        lo, hi = room
    if lo is None or hi is None:
        raise SettingError(f"{path}: no bounds to make a slider from")
    kind = "int" if annotation is int else "float"
    step = (1.0 if hi - lo <= 200 else 10.0) if kind == "int" else _float_step(hi - lo)
    return Control(path, label, unit, doc or "", kind, default, lo, hi, step)


def _float_step(span: float) -> float:
    return 0.01 if span <= 1 else 0.1 if span <= 20 else 1.0


def controls() -> list[Control]:
    """The page's controls, in order."""
    return [control(path) for path in WORKSHOP]


current = get_path
"""The value of a dotted path in some parameters (:func:`simulator.params.get_path`)."""


def parse_setting(text: str) -> tuple[str, Any]:
    """``"path = value"`` typed in the page -> ``(path, value)``, checked against the fields.

    The value is read as JSON when it can be (as ``orgsim --set`` does); errors are
    :class:`SettingError` with one readable line.
    """
    path, sep, raw = text.partition("=")
    path, raw = path.strip(), raw.strip()
    if not sep or not path or not raw:
        shown = f"{text.strip()!r}: type" if text.strip() else "Type"
        raise SettingError(f"{shown} a setting as path = value, e.g. culture.openness = 0.7")
    if path == "leaders.strategy":  # each arm sets its own: a typed one would change nothing
        raise SettingError(
            "leaders.strategy is each arm's: choose it under Left arm and Right arm in the setup"
        )
    try:
        value = setting_value(path, raw)
    except ValueError as err:
        raise SettingError(str(err)) from None
    checked = get_path(check({path: value}), path)
    if isinstance(checked, int | float) and not isinstance(checked, bool):
        value = checked  # a number as checked: "500" typed in quotes is 500
    limit = PAGE_LIMITS.get(path)
    if limit is not None and value > limit:
        raise SettingError(f"{path} = {value}: the workshop page takes at most {limit:,.0f}")
    return path, value


def value_text(value: Any) -> str:
    """A value as typed in the page (:func:`parse_setting` reads it back): JSON, except a word
    that JSON would quote.

    >>> value_text(0.7), value_text("open"), value_text([1, 2])
    ('0.7', 'open', '[1, 2]')
    """
    if isinstance(value, str):
        try:
            json.loads(value)
        except ValueError:
            return value  # "open", not "\"open\"": read back as the same word
    return json.dumps(value)


def check(updates: dict[str, Any], base: Params | None = None) -> Params:
    """``base`` with ``updates`` applied, or :class:`SettingError` naming what is wrong."""
    try:
        return (base or Params()).with_updates(updates)
    except (pydantic.ValidationError, ValueError) as err:
        raise SettingError("; ".join(describe(err))) from None
