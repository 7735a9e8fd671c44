"""What one browser session holds: the setup the room chose, the paired run, messages, guesses.

:class:`Setup` is a small immutable value (a preset, two arms, dotted-path updates over the
preset's, a seed); :class:`Session` turns a setup into a :class:`PairedRun` and records the
room's guesses. Nothing here imports Solara, so it is tested without a browser; the page
(:mod:`simulator.app.page`) keeps one session per browser tab.

Examples
--------
>>> s = Session()
>>> s.apply(Setup.from_preset("open_culture").with_update("org.size", 150))
''
>>> s.run.params.culture.policy, s.run.org.n
('open', 150)
>>> s.apply(s.setup.with_update("culture.openness", 7))
'culture.openness = 7: must be between 0 and 1 (Openness and trust, 0-1)'
>>> s.run.params.culture.openness  # the run in place is kept
0.85
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pydantic

from simulator.app import presets
from simulator.app.orgfile import fixed_paths, refused
from simulator.app.paired import PairedRun
from simulator.app.predict import Guess, GuessError, verdict
from simulator.errors import SimulatorError, describe, is_user_error
from simulator.orgimport import Chart
from simulator.params import STRATEGIES, Params, get_path


@dataclass(frozen=True)
class Setup:
    """The room's choice: preset, arms, parameter updates over the preset's, seed."""

    preset: str = presets.DEFAULT
    arms: tuple[str, str] = ("model", "delegate")
    updates: tuple[tuple[str, Any], ...] = ()
    seed: int = 1

    @classmethod
    def from_preset(cls, name: str, seed: int = 1) -> Setup:
        p = presets.preset(name)
        return cls(p.name, p.arms, tuple(p.updates.items()), seed)

    def with_update(self, path: str, value: Any) -> Setup:
        """This setup with ``path`` set to ``value``; a value back at its default (and not
        one the preset sets) drops the update, so that a slider moved and moved back gives
        the setup it left, and the room's guess for it (:meth:`Session.open_guess`)."""
        updates = dict(self.updates)
        updates[path] = value
        if path not in presets.preset(self.preset).updates and _is_default(path, value):
            del updates[path]
        return replace(self, updates=tuple(updates.items()))

    def with_arm(self, k: int, strategy: str) -> Setup:
        if strategy not in STRATEGIES:
            raise SimulatorError(
                f"unknown strategy {strategy!r}; choose from {', '.join(STRATEGIES)}"
            )
        arms = list(self.arms)
        arms[k] = strategy
        return replace(self, arms=(arms[0], arms[1]))

    def params(self) -> Params:
        return Params().with_updates(dict(self.updates))

    def without(self, path: str) -> Setup:
        """This setup with the room's own setting of ``path`` undone (back to the preset's
        value, or the default).

        >>> Setup.from_preset("zappos").with_update("org.size", 500).without("org.size").own()
        ()
        """
        story = presets.preset(self.preset).updates
        updates = {p: v for p, v in self.updates if p != path}
        if path in story:
            updates[path] = story[path]
        return replace(self, updates=tuple(updates.items()))

    def own(self) -> tuple[tuple[str, Any], ...]:
        """The settings made beyond the preset's (with a slider, or typed), in order.

        >>> Setup.from_preset("zappos").with_update("org.size", 500).own()
        (('org.size', 500),)
        """
        story, missing = presets.preset(self.preset).updates, object()
        return tuple((path, v) for path, v in self.updates if story.get(path, missing) != v)

    def left_out(self, other: Setup) -> tuple[tuple[str, Any], ...]:
        """This setup's own settings (:meth:`own`) that ``other`` does not make (a preset
        chosen after them starts from its own story)."""
        theirs, missing = dict(other.updates), object()
        return tuple((path, v) for path, v in self.own() if theirs.get(path, missing) != v)


def _is_default(path: str, value: Any) -> bool:
    try:
        found = get_path(_DEFAULTS, path)
    except AttributeError:  # (not a parameter: refused when the setup is applied)
        return False
    return type(found) is type(value) and bool(found == value)


_DEFAULTS = Params()


@dataclass(eq=False)
class Session:
    """One tab's state: the setup, its paired run, the guesses made for it.

    ``chart``: the trainer's org chart (``orgsim app --org-csv``), which both arms run on
    whatever the setup; the settings that do not apply on it (:func:`.orgfile.fixed_paths`)
    are refused when the room makes them, and ignored when a preset does."""

    setup: Setup = field(default_factory=Setup)
    run: PairedRun = field(init=False)
    guesses: list[tuple[Setup, Guess]] = field(default_factory=list)
    chart: Chart | None = None

    def __post_init__(self) -> None:
        self.run = self._start(self.setup)

    def _start(self, setup: Setup) -> PairedRun:
        return PairedRun.start(setup.params(), seed=setup.seed, arms=setup.arms, chart=self.chart)

    def not_applying(self, setup: Setup) -> list[str]:
        """Why each of the room's own settings in ``setup`` that does not apply on the
        session's chart is refused (none without a chart)."""
        if self.chart is None:
            return []
        fixed = fixed_paths(self.chart)
        return [refused(self.chart, path, v) for path, v in setup.own() if path in fixed]

    def apply(self, setup: Setup) -> str:
        """Switch to ``setup`` (a new run at week 0); a message if it is invalid, else ``""``.

        An invalid setup leaves the session as it was: the page shows the message and runs on.
        """
        problems = self.not_applying(setup)
        if problems:
            return "; ".join(problems)
        try:
            run = self._start(setup)
        except (pydantic.ValidationError, SimulatorError, ValueError) as err:
            if not is_user_error(err) and not isinstance(err, pydantic.ValidationError):
                raise
            return "; ".join(describe(err))
        self.setup, self.run = setup, run
        return ""

    def reset(self) -> None:
        """Back to week 0 with the same setup and seed."""
        self.run = self._start(self.setup)

    def guess(self, texts: Sequence[str], week: int | None = None) -> Guess:
        """Record the room's guess for the current setup, made at ``week`` (default: the
        current one), in place of an earlier one; :class:`GuessError` once the run is over."""
        if self.run.done:
            raise GuessError(
                "the run is over: press Reset (or Another run) and guess before it starts"
            )
        g = Guess.parse(
            self.run.arms[0],
            texts[0],
            self.run.arms[1],
            texts[1],
            preset=self.setup.preset,
            week=self.run.week if week is None else week,
        )
        self.forget_guess()
        self.guesses.append((replace(self.setup, seed=0), g))
        return g

    def forget_guess(self) -> None:
        """Drop the guess made for the current setup (the room changes its mind)."""
        setting = replace(self.setup, seed=0)
        self.guesses = [(made_for, g) for made_for, g in self.guesses if made_for != setting]

    def open_guess(self) -> Guess | None:
        """The latest guess made for this setup (any seed), if any."""
        setting = replace(self.setup, seed=0)
        for made_for, g in reversed(self.guesses):
            if made_for == setting:
                return g
        return None

    def verdict(self) -> str:
        """Guess against result, once the run reached its horizon (else ``""``)."""
        g = self.open_guess()
        if g is None or not self.run.done:
            return ""
        final = (self.run.current(0).poster_share, self.run.current(1).poster_share)
        return verdict(g, final)
