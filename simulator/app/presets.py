"""Presets: the essays' stories as two arms and parameter updates, defined in one place.

Each preset follows a scenario file in ``scenarios/`` (named in ``scenario``); a test checks
that the preset's fixed parameters agree with that file's ``[params]``, so the story told in
the room is the one the research scenario runs.

Examples
--------
>>> preset("zappos").arms
('model', 'none')
>>> preset("zapos")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
simulator.app.presets.PresetError: unknown preset 'zapos'; did you mean 'zappos'? (choose from ...)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from simulator.errors import SimulatorError, did_you_mean


class PresetError(SimulatorError):
    """An unknown preset (shown as a message in the page)."""


@dataclass(frozen=True)
class Preset:
    """A story for the room: a title, what it shows, two arms and the parameters it sets."""

    name: str
    title: str
    story: str
    arms: tuple[str, str] = ("model", "delegate")
    updates: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    scenario: str = ""


PRESETS: tuple[Preset, ...] = (
    Preset(
        "modeling_vs_delegation",
        "Leaders post, or hand it to a delegate",
        "Leaders who post themselves against leaders who delegate with guidelines, at "
        "equal weekly posts (the flagship question).",
        scenario="modeling_vs_delegation.toml",
    ),
    Preset(
        "zappos",
        "Zappos-like: leaders first, no mandate",
        "About 1,500 people; the top leaders were the first and most frequent users (4 posts "
        "a week) with no mandate. Against: the same org with leaders deciding like everyone "
        "else. Public reports: about 29 % of staff on Twitter within a year. That is the "
        "story's figure, not the model's: its runs end anywhere from about 15 % to 60 % "
        "posting with leaders first (seed to seed), about 1 % without; the point is the gap "
        "between the arms.",
        arms=("model", "none"),
        updates=MappingProxyType({"org.size": 1500, "leaders.levels": 2, "leaders.rate": 4.0}),
        scenario="zappos.toml",
    ),
    Preset(
        "leader_pullback",
        "The leader who pulls back after criticism",
        "Leaders' posts draw eight times the criticism of staff posts, and criticised posters "
        "may pull back. Everyone watches the leader being criticised.",
        updates=MappingProxyType({"responses.leader_criticism_multiplier": 8.0}),
        scenario="leader_pullback.toml",
    ),
    Preset(
        "restrictive_culture",
        "A restrictive culture",
        "A closed culture (openness 0.2) with a restrictive social-media policy: less "
        "engagement, more criticism, lower comfort.",
        updates=MappingProxyType({"culture.openness": 0.2, "culture.policy": "restrictive"}),
        scenario="culture_openness.toml",
    ),
    Preset(
        "open_culture",
        "An open culture",
        "An open, trusting culture (openness 0.85) with an open social-media policy: more "
        "engagement, less criticism, comfort starts higher.",
        updates=MappingProxyType({"culture.openness": 0.85, "culture.policy": "open"}),
        scenario="culture_openness.toml",
    ),
)

DEFAULT = PRESETS[0].name


def names() -> list[str]:
    return [p.name for p in PRESETS]


def preset(name: str) -> Preset:
    """The preset called ``name``; :class:`PresetError` with a suggestion otherwise."""
    for p in PRESETS:
        if p.name == name:
            return p
    close = did_you_mean(name.strip(), names())
    hint = f"; did you mean {close!r}?" if close else ""
    raise PresetError(f"unknown preset {name!r}{hint} (choose from {', '.join(names())})")
