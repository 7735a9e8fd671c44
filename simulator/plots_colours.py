"""The figures' colours: one per stage and one per arm, in every figure and on the page.

From the colour-blind-safe Okabe-Ito palette: non-users grey, listeners blue, posters
vermillion; the arms of a scenario have one colour each (:func:`arm_colours`), an arm named
after a leader strategy that strategy's (:data:`STRATEGY_COLOURS`).

Examples
--------
>>> arm_colours(["delegate", "model", "open"])
{'delegate': '#CC79A7', 'model': '#009E73', 'open': '#E69F00'}
"""

from __future__ import annotations

from collections.abc import Sequence

STAGES: tuple[str, ...] = ("non_user", "listener", "poster")
STAGE_COLOURS: dict[str, str] = {
    "non_user": "#7F7F7F",  # grey
    "listener": "#0072B2",  # blue
    "poster": "#D55E00",  # vermillion
}
STAGE_LABELS: dict[str, str] = {
    "non_user": "Non-users",
    "listener": "Listeners",
    "poster": "Posters",
}
DIFFERENCE_COLOUR = "#000000"  # black: the arms are in colour

ARM_PALETTE: tuple[str, ...] = (
    "#009E73",  # bluish green (the baseline)
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#0072B2",  # blue
    "#D55E00",  # vermillion
)
"""Arm colours (Okabe-Ito): an arm named after a strategy has its own
(:data:`STRATEGY_COLOURS`), the others these in order. The first four are none of the stage
colours nor the difference's: the workshop page shows arms and stages on one screen, where
a blue arm read as the listeners and an orange one as the posters."""
STRATEGY_COLOURS: dict[str, str] = {
    **dict(zip(("model", "delegate"), ARM_PALETTE, strict=False)),
    "listen": "#332288",  # indigo (Paul Tol's muted scheme)
    "restrict": "#993366",  # wine
    "none": "#8C564B",  # brown: no strategy, not another one's colour (none drew purple)
}
"""An arm named after a leader strategy has its colour in every figure and on the page,
whichever the arms' order: modeling green, delegation purple, listening indigo,
restricting wine. Listening and restricting wore the palette's orange and sky blue: pale on
white (contrast 2.3:1) and, from the back of a room, read as the org view's posters
(vermillion) and listeners (blue). Indigo and wine are dark (contrast 12:1 and 7:1 on white,
their darker shades too) and stay apart from the stage colours and the other strategies'
with red-green colour blindness too (``tests/test_app.py`` checks both)."""


def arm_colours(arms: Sequence[str]) -> dict[str, str]:
    """One colour per arm. An arm named after a leader strategy (``model``, or ``model
    (left)`` on the workshop page) wears that strategy's colour (:data:`STRATEGY_COLOURS`)
    wherever it is listed; a second arm of that strategy (``model (right)``) a darker shade
    of it (it took another strategy's colour: purple read as delegation); the other arms
    take the free colours of :data:`ARM_PALETTE` in order (the baseline first)."""
    colours: dict[str, str] = {}
    for arm in arms:
        colour = STRATEGY_COLOURS.get(arm.split(" (")[0])
        if colour is not None and colour in colours.values():
            colour = _darker(colour)
        if colour is not None and colour not in colours.values():
            colours[arm] = colour
    free = [c for c in ARM_PALETTE if c not in colours.values()]
    for arm in arms:
        if arm not in colours:
            colours[arm] = free.pop(0) if free else ARM_PALETTE[len(colours) % len(ARM_PALETTE)]
    return {arm: colours[arm] for arm in arms}


def _darker(colour: str, by: float = 0.45) -> str:
    """``colour`` (``#RRGGBB``) mixed with black: ``by`` of the way to it.

    >>> _darker("#009E73")
    '#00573F'
    """
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c * (1 - by)):02X}" for c in rgb)


__all__ = [
    "ARM_PALETTE",
    "DIFFERENCE_COLOUR",
    "STAGES",
    "STAGE_COLOURS",
    "STAGE_LABELS",
    "STRATEGY_COLOURS",
    "arm_colours",
]
