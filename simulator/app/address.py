"""The page's address holds the room's setup and guess, so that a reload brings them back.

The page writes ``?preset=NAME`` and what differs from that preset: ``seed``, the arms
(``left``, ``right``), each changed parameter (``set=path=value``, as typed in the page) and
the room's guess (``guess=35,20``, in percent). A reload, a bookmark or a link sent to the
room opens the same setup at week 0 (a run is fixed by its setup and seed, so playing it
again tells the same story). The address is replaced in place, not added to the browser's
history at each slider move.

Examples
--------
>>> from simulator.app.session import Session, Setup
>>> setup = Setup.from_preset("zappos", seed=3).with_update("culture.openness", 0.7)
>>> to_query(setup, (0.35, 0.2))
'preset=zappos&seed=3&set=culture.openness%3D0.7&guess=35%2C20'
>>> back = from_query("preset=zappos&seed=3&set=culture.openness%3D0.7&guess=35%2C20")
>>> back.setup == setup, back.guess, back.message
(True, ('35', '20'), '')
>>> from_query("preset=zappos&left=lead").message
"left=lead: unknown strategy 'lead'; choose from model, delegate, listen, restrict, none"
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from urllib.parse import parse_qs, urlencode

from simulator.app import presets
from simulator.app.controls import parse_setting, value_text
from simulator.app.orgfile import fixed_paths
from simulator.app.session import Session, Setup
from simulator.errors import SimulatorError

SIDES = ("left", "right")
DEFAULT_SEED = Setup().seed
SEED_MAX = 2**63 - 1


@dataclass(frozen=True)
class Arrival:
    """What an address asks for: a setup, the room's guess (as typed) and the week it was
    made at, and a message naming each part of the address that could not be used (the
    rest is used)."""

    setup: Setup
    guess: tuple[str, str] | None = None
    message: str = ""
    week: int = 0


def to_query(setup: Setup, guess: Sequence[float] | None = None, week: int = 0) -> str:
    """The query string (without ``?``) that :func:`from_query` turns back into ``setup``
    and the guess (shares posting, 0..1) made at ``week`` (``guess=35,20``; ``35,20,10``
    for a guess made at week 10)."""
    story = presets.preset(setup.preset)
    pairs = [("preset", setup.preset)]
    if setup.seed != DEFAULT_SEED:
        pairs.append(("seed", str(setup.seed)))
    for side, arm, own in zip(SIDES, setup.arms, story.arms, strict=True):
        if arm != own:
            pairs.append((side, arm))
    for path, value in setup.own():
        pairs.append(("set", f"{path}={value_text(value)}"))
    if guess is not None:
        made = [f"{100 * share:g}" for share in guess] + ([str(week)] if week else [])
        pairs.append(("guess", ",".join(made)))
    return urlencode(pairs)


def from_query(search: str | None) -> Arrival:
    """The setup and guess in an address's query (``preset=...``); see :func:`to_query`.

    What cannot be used is named in :attr:`Arrival.message` and left out; the rest is used."""
    query = parse_qs((search or "").lstrip("?"), keep_blank_values=True)
    try:
        setup = Setup.from_preset(query.get("preset", [presets.DEFAULT])[0])
    except SimulatorError as err:
        return Arrival(Setup(), message=str(err))
    problems: list[str] = []
    seed = query.get("seed", [str(DEFAULT_SEED)])[0]
    if seed.isascii() and seed.isdigit() and int(seed) <= SEED_MAX:  # ("²" is a digit too)
        setup = replace(setup, seed=int(seed))
    else:
        problems.append(f"seed {seed!r}: must be a whole number from 0 to {SEED_MAX:,}")
    for k, side in enumerate(SIDES):
        for arm in query.get(side, [])[:1]:
            try:
                setup = setup.with_arm(k, arm)
            except SimulatorError as err:
                problems.append(f"{side}={arm}: {err}")
    for text in query.get("set", []):
        try:
            setup = setup.with_update(*parse_setting(text))
        except SimulatorError as err:
            problems.append(str(err))
    guess, week = None, 0
    for text in query.get("guess", [])[:1]:
        parts = [part.strip() for part in text.split(",")]
        at = parts[2] if len(parts) == 3 else "0"
        if len(parts) in (2, 3) and at.isascii() and at.isdigit():
            guess, week = (parts[0], parts[1]), int(at)
        else:
            problems.append(
                f"guess={text}: give two percentages (and the week it was made), e.g. guess=35,20"
            )
    return Arrival(setup, guess, "; ".join(problems), week)


def arrive(session: Session, search: str | None) -> str:
    """Switch ``session`` to the setup and guess in an address's query; the message to show
    (``""`` if all of it was used). A setup that cannot run leaves the session as it was;
    a setting that does not apply on the session's org chart (a link made without it) is
    named and left out."""
    came = from_query(search)
    not_applying = session.not_applying(came.setup)
    if not_applying:
        setup = came.setup
        for path, _ in came.setup.own():
            if path in fixed_paths(session.chart):
                setup = setup.without(path)
        message = "; ".join(part for part in (came.message, *not_applying) if part)
        came = replace(came, setup=setup, message=message)
    problem = session.apply(came.setup) if came.setup != session.setup else ""
    if came.guess is not None and not problem:
        try:
            session.guess(came.guess, week=came.week)
        except SimulatorError as err:
            problem = str(err)
    return came.message or problem
