"""Predict, then run: the room's guess of the final share posting in each arm, against the result.

A guess is recorded before the run reaches its horizon (while the result is still unknown)
and kept with the setting it was made for; once the run is over, :func:`verdict` says how far
each guess was from the result.

Examples
--------
>>> g = Guess.parse("model", "35", "delegate", "20 %", preset="modeling_vs_delegation", week=0)
>>> g.shares
(0.35, 0.2)
>>> for sentence in verdict(g, (0.41, 0.15)).split(". "):
...     print(sentence)
model: guessed 35 %, got 41 % (6 points too low)
delegate: guessed 20 %, got 15 % (5 points too high).
>>> made(Guess.parse("model", "20.5", "delegate", "7.25 %", preset="x", week=0))
'model 20.5 %, delegate 7.25 %'
>>> Guess.parse("model", "140", "delegate", "10", preset="x", week=0)
Traceback (most recent call last):
...
simulator.app.predict.GuessError: model: a share of staff is between 0 and 100 %, got '140'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from simulator.errors import SimulatorError


class GuessError(SimulatorError):
    """A guess the page cannot record (shown as a message)."""


@dataclass(frozen=True)
class Guess:
    """The room's guess: the share posting at the horizon in each arm (0..1)."""

    arms: tuple[str, str]
    shares: tuple[float, float]
    preset: str
    week: int  # the week at which the guess was made

    @classmethod
    def parse(
        cls, arm_a: str, text_a: str, arm_b: str, text_b: str, *, preset: str, week: int
    ) -> Guess:
        """Two typed percentages (``"35"``, ``"35 %"``) -> a :class:`Guess`."""
        shares = (_percent(arm_a, text_a), _percent(arm_b, text_b))
        return cls((arm_a, arm_b), shares, preset, week)


def _percent(arm: str, text: str) -> float:
    raw = text.strip().rstrip("%").strip()
    if raw.count(",") == 1 and "." not in raw:  # a decimal comma: 35,5
        raw = raw.replace(",", ".")
    try:
        value = float(raw)
    except ValueError:
        raise GuessError(f"{arm}: type a percentage, e.g. 30, got {text!r}") from None
    if not 0 <= value <= 100:
        raise GuessError(f"{arm}: a share of staff is between 0 and 100 %, got {text!r}")
    return round(value / 100, 4) + 0.0  # (+ 0.0: -0 typed is 0, not "-0 %")


def made(guess: Guess) -> str:
    """A guess in words: ``model 35 %, delegate 20 %``."""
    return ", ".join(f"{a} {typed(s)}" for a, s in zip(guess.arms, guess.shares, strict=True))


def percent(share: float) -> str:
    """``0.35`` -> ``'35 %'``."""
    return f"{100 * share:.0f} %"


def typed(share: float) -> str:
    """A guessed share as the room typed it: ``0.205`` -> ``'20.5 %'`` (not rounded to
    ``'20 %'``), ``0.35`` -> ``'35 %'``."""
    return f"{round(100 * share, 2):g} %"


def verdict(guess: Guess, results: Sequence[float]) -> str:
    """One sentence per arm: the guess, the result and the gap in percentage points."""
    parts = []
    for arm, g, r in zip(guess.arms, guess.shares, results, strict=True):
        gap = round(round(100 * r) - 100 * g, 2)  # the result as shown (percent)
        points = f"{abs(gap):g} point{'' if abs(gap) == 1 else 's'}"
        side = "spot on" if gap == 0 else f"{points} too {'low' if gap > 0 else 'high'}"
        parts.append(f"{arm}: guessed {typed(g)}, got {percent(r)} ({side}).")
    return " ".join(parts)
