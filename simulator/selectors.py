"""Selectors name groups of leaders in strategy rules: ``all``, ``level=1``, ``role=middle`` ...

A selector is parsed once (so a bad one is reported when parameters are validated) and applied
to an :class:`~simulator.orgchart.Org` to give a boolean mask over people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from simulator.errors import did_you_mean

if TYPE_CHECKING:
    from simulator.orgchart import Org

ROLES = ("top", "executive", "middle", "frontline")
KINDS = ("all", "level", "levels", "role", "unit", "title", "ids")
_SYNTAX = (
    "all, level=N, levels=A-B, role=top|executive|middle|frontline, unit=NAME, title=TEXT "
    "or ids=A,B,C"
)


@dataclass(frozen=True)
class Selector:
    """A parsed selector: its kind and value."""

    kind: str
    value: str = ""

    def mask(self, org: Org) -> np.ndarray:
        """Boolean mask of the leaders (people with reports) this selector picks.

        A unit, title or id that the organisation does not have raises ``ValueError`` with
        the closest name (a typo would otherwise leave every leader unchanged)."""
        _check_names(self, org)
        picked = _pick(self, org)
        return picked & org.is_leader

    def named_non_leaders(self, org: Org) -> list[str]:
        """The ids an ``ids=`` selector names of people without reports, whom no strategy
        applies to (``[]`` for other kinds, which pick groups, not people)."""
        if self.kind != "ids":
            return []
        return [
            str(i) for i in np.asarray(org.ids, dtype=object)[_pick(self, org) & ~org.is_leader]
        ]


def parse_selector(text: str) -> Selector:
    """Parse a selector, raising ``ValueError`` that says what is allowed.

    >>> parse_selector("levels=0-1")
    Selector(kind='levels', value='0-1')
    """
    text = text.strip()
    if text == "all":
        return Selector("all")
    kind, sep, value = text.partition("=")
    kind, value = kind.strip(), value.strip()
    if not sep or kind not in KINDS or not value:
        raise ValueError(f"selector {text!r} is not one of: {_SYNTAX}")
    if kind == "level" and not value.isdigit():
        raise ValueError(f"selector {text!r}: level must be a whole number >= 0")
    if kind == "levels" and not re.fullmatch(r"\d+-\d+", value):
        raise ValueError(f"selector {text!r}: levels must look like A-B, e.g. levels=0-1")
    if kind == "levels" and int(value.split("-")[0]) > int(value.split("-")[1]):
        low, high = value.split("-")
        raise ValueError(
            f"selector {text!r}: levels A-B must have A <= B, e.g. levels={high}-{low}"
        )
    if kind == "role" and value not in ROLES:
        raise ValueError(f"selector {text!r}: role must be one of {', '.join(ROLES)}")
    return Selector(kind, value)


def _pick(selector: Selector, org: Org) -> np.ndarray:
    kind, value = selector.kind, selector.value
    if kind == "all":
        return np.ones(org.n, dtype=bool)
    if kind == "level":
        return org.level == int(value)
    if kind == "levels":
        lo, hi = (int(x) for x in value.split("-"))
        return (org.level >= lo) & (org.level <= hi)
    if kind == "role":
        return org.roles == ROLES.index(value)
    if kind == "unit":
        names = np.asarray(org.unit_names, dtype=object)
        return np.asarray(names[org.unit] == value, dtype=bool)
    if kind == "title":
        titles = np.asarray(org.titles, dtype=object)
        return np.asarray(titles == value, dtype=bool)
    wanted = {v.strip() for v in value.split(",")}
    return np.isin(np.asarray(org.ids, dtype=object), list(wanted))


def _check_names(selector: Selector, org: Org) -> None:
    """Raise ``ValueError`` for a unit, title or id ``org`` does not have."""
    kind = selector.kind
    if kind not in ("unit", "title", "ids"):
        return
    have = {"unit": org.unit_names, "title": org.titles, "ids": org.ids}[kind]
    known = [x for x in dict.fromkeys(str(x) for x in have) if x]  # in order, once each
    wanted = [v.strip() for v in selector.value.split(",")] if kind == "ids" else [selector.value]
    have_set = set(known)
    missing = [name for name in wanted if name not in have_set]
    if not missing:
        return
    name = missing[0]
    # a difference of case always; a near spelling when there are too many to list
    close = did_you_mean(name, known, cutoff=0.6 if len(known) > 8 else 1.0)
    plural = {"unit": "units", "title": "titles", "ids": "ids"}[kind]
    if close:
        hint = f"did you mean {close!r}?"
    elif known:
        more = f" and {len(known) - 8:,} more" if len(known) > 8 else ""
        hint = f"its {plural} are {', '.join(map(repr, known[:8]))}{more}"
    else:
        hint = f"it has no {plural} (they come from an imported org chart's {kind} column)"
    what = "id" if kind == "ids" else kind
    raise ValueError(
        f"selector '{kind}={selector.value}': this organisation has no {what} {name!r}; {hint}"
    )
