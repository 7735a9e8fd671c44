"""Text that fits its figure: widths measured in the figures' font, lines wrapped to a
panel, titles shrunk only when wrapping is not enough, and legends of the arms laid out in
as few rows as fit under a figure.

A title or legend wider than its room ran into the next panel or off the figure, cut at its
edge; everything here measures text as matplotlib will draw it (:func:`text_width`) rather
than counting characters.

Examples
--------
>>> wrap("culture.openness = 0.5, delegation.followed = False", 200.0, 13)  # after the comma
['culture.openness = 0.5,', 'delegation.followed = False']
>>> wrap("line: median, band: 10-90 % of up to 5 runs per arm and panel", 200.0, 9.5)
['line: median,', 'band: 10-90 % of up to 5 runs per arm', 'and panel']
>>> fitted_title("x = 1", 250.0)
('x = 1', 13)
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.textpath import TextToPath

from simulator.plots_colours import arm_colours
from simulator.plots_style import FONT

LEGEND_MARGIN = 12.0
"""Points of a figure's width left free either side of its legend of the arms (the
layout's padding and the legend's own)."""


LEGEND_HANDLE = 2.0 + 0.8
"""A legend entry's swatch and the gap after it, in font sizes (matplotlib's
``legend.handlelength`` and ``legend.handletextpad``)."""

PANEL_MARGIN = 1.0
"""Inches of a panel's slot taken by its y label and ticks (the rest is for its title)."""


def arm_legend(fig: Figure, arms: Sequence[str], note: str = "") -> None:
    """One legend of the arms' colours under a figure of several panels."""
    figure_legend(fig, arms, arm_colours(arms), note)


def figure_legend(fig: Figure, arms: Sequence[str], colours: Mapping[str, str], note: str) -> None:
    """The arms' colours in one legend under ``fig``, in as few rows as fit its width.

    The arms read in scenario order along each row, and ``note`` (what lines and bands
    are) is wrapped to the figure: in one row, five arms or a long note ran past the
    figure's edges, cut there (an arm's name cut short, another's gone, its swatch left).
    """
    size = FONT["legend"] + 1
    room = 72 * fig.get_figwidth() - 2 * LEGEND_MARGIN
    ncol = _columns([text_width(a, size) + LEGEND_HANDLE * size for a in arms], room, size)
    rows = -(-len(arms) // ncol)
    order = [
        arms[r * ncol + c] for c in range(ncol) for r in range(rows) if r * ncol + c < len(arms)
    ]
    handles = [Line2D([], [], color=colours[a], lw=6) for a in order]
    legend = fig.legend(
        handles,
        order,
        loc="outside lower center",
        ncol=ncol,
        fontsize=size,
        title="\n".join(wrap(note, room, FONT["legend"])) if note else None,
        title_fontsize=FONT["legend"],
        frameon=False,
    )
    legend.get_title().set_multialignment("center")


def _columns(widths: Sequence[float], room: float, size: float) -> int:
    """Columns of a legend whose entries are ``widths`` points wide (in order, filling rows)
    so that it fits ``room`` points: the fewest rows, then the columns as even as can be.

    >>> _columns([50.0] * 5, 400.0, 10.0)  # 5 x 50 + 4 gaps of 20 = 330 points: one row
    5
    >>> _columns([50.0] * 5, 250.0, 10.0)  # three columns (190 points), two rows: 3 + 2
    3
    """
    count = len(widths)
    for rows in range(1, count + 1):
        ncol = -(-count // rows)
        # matplotlib fills the columns in turn; the entries of column c are c, c + ncol, ...
        wide = [max(widths[c::ncol]) for c in range(ncol)]
        if sum(wide) + 2.0 * size * (ncol - 1) <= room:  # (legend.columnspacing: 2 sizes)
            return ncol
    return 1


def panel_room(ax: Axes) -> float:
    """Points of width for the title of ``ax``: its column of the figure's grid, less
    :data:`PANEL_MARGIN`."""
    fig = ax.get_figure(root=True)
    spec = ax.get_subplotspec()
    if fig is None or spec is None:
        return math.inf
    grid = spec.get_gridspec()
    columns = spec.colspan.stop - spec.colspan.start
    return 72 * (fig.get_figwidth() * columns / grid.ncols - PANEL_MARGIN)


def fitted_title(title: str, width: float, lines: int = 3) -> tuple[str, float]:
    """``title`` wrapped to ``width`` points, and its font size.

    Lines break between a design point's values (``a = 1, b = 2``), within one value only
    when it is wider than a line; a smaller font only when the title font needs more than
    ``lines`` lines, and an ellipsis when that one does too. A title wider than its panel
    runs into the next one, or off the figure.

    >>> fitted_title("culture.openness = 0.5, delegation.followed = False", 250.0)
    ('culture.openness = 0.5,\\ndelegation.followed = False', 13)
    """
    for size in (FONT["title"], FONT["tick"]):
        wrapped = wrap(title, width, size)
        if len(wrapped) <= lines:
            return "\n".join(wrapped), size
    last = wrapped[lines - 1]
    keep = _longest(len(last), lambda k: text_width(last[:k] + "…", size) <= width)
    return "\n".join([*wrapped[: lines - 1], last[:keep] + "…"]), size


def wrap(text: str, width: float, size: float) -> list[str]:
    """Lines of ``text`` at most ``width`` points wide at ``size`` points: broken after the
    commas between values first, then at spaces, then (one long word) anywhere."""

    def fits(line: str) -> bool:
        return text_width(line, size) <= width

    def fill(pieces: list[str]) -> list[str]:
        out: list[str] = []
        for piece in pieces:
            if out and fits(f"{out[-1]} {piece}"):
                out[-1] += f" {piece}"
            else:
                out.append(piece)
        return out

    values = text.split(", ")
    lines: list[str] = []
    for line in fill([f"{v}," for v in values[:-1]] + values[-1:]):
        for part in [line] if fits(line) else fill(line.split(" ")):
            while not fits(part) and len(part) > 1:

                def starts(k: int, part: str = part) -> bool:  # (its first k characters fit)
                    return fits(part[:k])

                cut = _longest(len(part) - 1, starts, least=1)
                lines.append(part[:cut])
                part = part[cut:]
            lines.append(part)
    return lines


def _longest(most: int, fits: Callable[[int], bool], least: int = 0) -> int:
    """The largest ``k`` from ``least`` to ``most`` with ``fits(k)`` (``least`` if none),
    for ``fits`` true up to some ``k`` and false beyond (text widths grow with length):
    found by bisection, as each try measures text.

    >>> _longest(100, lambda k: k * k <= 50)
    7
    """
    while least < most:
        mid = (least + most + 1) // 2
        least, most = (mid, most) if fits(mid) else (least, mid - 1)
    return least


_MEASURE = TextToPath()


def text_width(text: str, size: float) -> float:
    """Width of one line of ``text`` in the figures' font at ``size``, in points."""
    return float(_MEASURE.get_text_width_height_descent(text, _font(size), False)[0])


@functools.cache
def _font(size: float) -> FontProperties:
    return FontProperties(size=size)


__all__ = [
    "LEGEND_HANDLE",
    "LEGEND_MARGIN",
    "PANEL_MARGIN",
    "arm_legend",
    "figure_legend",
    "fitted_title",
    "panel_room",
    "text_width",
    "wrap",
]
