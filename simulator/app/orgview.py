"""The org chart drawn as a hierarchy: levels as rows, units grouped, people coloured by stage.

The layout is computed once per organisation (no spring layout): people are ordered by a
depth-first walk of the reporting tree (so each unit, and each team, is one contiguous block)
and placed in their level's row; a level wider than ``row_capacity`` people wraps into
sub-rows column by column, so the blocks stay contiguous. The marks are scatters of one
size and one colour each (stage colours of :mod:`simulator.plots`), which matplotlib draws
by stamping one rendered mark (:class:`Stamps`); a frame moves people between them and marks
the week's posts and criticism, drawn over a still image of the shading
(:class:`~simulator.app.blit.Blit`): about 13 ms a view at 1,500 people, 20 ms at 20,000,
PNG included.

Examples
--------
>>> import numpy as np
>>> from simulator.orgchart import build_org
>>> from simulator.params import OrgParams
>>> org = build_org(OrgParams(size=43, span=6, span_jitter=0, units=6), np.random.default_rng(1))
>>> layout = hierarchy_layout(org)
>>> [round(float(y), 2) for y in sorted(set(layout.y), reverse=True)]  # a row per level, 2 high
[5.0, 3.0, 1.0]
>>> bool(np.all(np.diff(layout.x[org.level == 1]) != 0))
True
"""

from __future__ import annotations

import base64
import html
import io
import math
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PatchCollection
from matplotlib.colors import to_rgba_array
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from simulator.app.blit import Blit
from simulator.orgchart import Org
from simulator.plots import STAGE_COLOURS, STAGE_LABELS, STAGES

STAGE_RGBA = to_rgba_array([STAGE_COLOURS[s] for s in STAGES])
UNIT_SHADES = ("#EDEDED", "#FFFFFF")
MARK_COLOUR = "#000000"
POST_COLOUR = "#FFFFFF"  # a white dot in the person: posted this week
MAX_SIDE = 26.0  # points: the largest mark
CROSS_WIDTH = 2.5  # points: the line width of a cross of criticism
SIZE = (7.2, 3.8)
"""An org view's size in inches at 100 pixels an inch (the page gives its own, see
``page.view_size``)."""
PEOPLE: tuple[tuple[str, float, float], ...] = (
    ("o", 0.8, 0.0),  # staff: a circle, 0.8 of the cell's side, no outline
    ("s", 0.75, 0.6),  # leaders: a square
    ("s", 0.85, 2.0),  # leaders acting a strategy: a larger square, a thick outline
    ("D", 0.85, 1.6),  # delegates: a diamond
)
"""How each kind of person is marked: marker, share of the cell's side, widest outline
(points); in the order of :class:`OrgView`'s ``people``."""
HALF = {"o": 0.5, "s": 0.5, "D": 0.5 * math.sqrt(2), "x": 0.5}
"""How far each marker reaches from its centre, a share of its size (a diamond is a square
turned by 45 degrees: half its diagonal)."""
OUTLINE_SHARE = 0.17  # the widest outline, a share of its mark's side
MIN_OUTLINED = 3.0  # points: smaller marks have no outline


@dataclass(frozen=True)
class Layout:
    """Positions of people (``x`` in 0..1, ``y`` in sub-rows, the top level highest)."""

    x: np.ndarray
    y: np.ndarray
    room: np.ndarray  # (n, 2): width (share of the row) and height (sub-rows) of each cell
    rows: float  # height of the drawing, in sub-rows
    unit_blocks: tuple[tuple[float, float, float, float], ...]  # (x0, x1, y0, y1) per block


def preorder(org: Org) -> np.ndarray:
    """Rank of each person in a depth-first walk of the tree (reports in id order)."""
    n = org.n
    has = org.manager >= 0
    order = np.argsort(org.manager[has], kind="stable")
    children = np.flatnonzero(has)[order]
    starts = np.searchsorted(org.manager[has][order], np.arange(n + 1))
    rank = np.empty(n, dtype=np.int64)
    stack = list(np.flatnonzero(~has)[::-1])
    k = 0
    while stack:
        person = stack.pop()
        rank[person] = k
        k += 1
        stack.extend(children[starts[person] : starts[person + 1]][::-1].tolist())
    return rank


def hierarchy_layout(org: Org, row_capacity: int | None = None, aspect: float = 1.6) -> Layout:
    """Levels as rows (wide levels wrapped in sub-rows), people in depth-first order.

    ``row_capacity`` (default: about square cells in a drawing ``aspect`` times as wide as
    high) is the most people in one sub-row.
    """
    if row_capacity is None:
        row_capacity = max(40, math.ceil(math.sqrt(org.n * aspect)))
    rank = preorder(org)
    x, y, room = np.zeros(org.n), np.zeros(org.n), np.ones((org.n, 2))
    counts = np.bincount(org.level)
    sub_rows = [max(1, math.ceil(c / row_capacity)) for c in counts]
    heights = [k if k > 1 else 2 for k in sub_rows]  # a lone row gets room for big marks
    heights = [h if c else 0 for h, c in zip(heights, counts, strict=True)]  # a grade nobody
    # holds (an imported chart's levels 0, 2, 3) takes no row
    top = float(sum(heights))
    blocks: list[tuple[float, float, float, float]] = []
    for level, (k, h) in enumerate(zip(sub_rows, heights, strict=True)):
        people = np.flatnonzero(org.level == level)
        if not len(people):
            continue
        people = people[np.argsort(rank[people])]
        columns = math.ceil(len(people) / k)
        r = np.arange(len(people))
        x[people] = (r // k + 0.5) / columns
        y[people] = top - h / 2 - (r % k - (k - 1) / 2)
        room[people] = (1 / columns, h / k)
        units = org.unit[people]
        edges = np.flatnonzero(np.diff(units)) + 1
        for lo, hi in zip(np.r_[0, edges], np.r_[edges, len(people)], strict=True):
            x0, x1 = (lo // k) / columns, ((hi - 1) // k + 1) / columns
            blocks.append((x0, x1, top - h, top))
        top -= h
    return Layout(x, y, room, float(sum(heights)), tuple(blocks))


class OrgView:
    """A cached drawing of one arm's organisation; :meth:`update` recolours it.

    Parameters
    ----------
    org : Org
    leader, strategy, delegate : bool arrays, shape (n,)
        People drawn as leaders (squares), leaders acting a strategy (larger, outlined) and
        delegates (diamonds).
    title : str
    ax : Axes, optional
        Draw here (e.g. in an exported figure); otherwise in a figure of its own.
    layout : Layout, optional
        Default: the hierarchy laid out in the drawing's shape (:func:`hierarchy_layout`).
    size : (float, float)
        The figure's size (inches, at 100 pixels an inch) when it has its own.

    Every mark stays inside the axes, also at the drawing's edges (:func:`pad_limits`).
    """

    def __init__(
        self,
        org: Org,
        leader: np.ndarray,
        strategy: np.ndarray,
        delegate: np.ndarray,
        title: str = "",
        ax: Axes | None = None,
        layout: Layout | None = None,
        size: tuple[float, float] = SIZE,
    ) -> None:
        if ax is None:  # the whole figure: the marks keep their own room (pad_limits)
            fig = Figure(figsize=size, dpi=100)
            FigureCanvasAgg(fig)
            ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
        self.ax = ax
        self.figure = cast(Figure, ax.figure)
        box = ax.get_position()
        wide, high = self.figure.get_size_inches()
        # about square cells in the drawing's shape (on the page, the shape of its column)
        self.layout = layout or hierarchy_layout(org, aspect=box.width * wide / (box.height * high))
        L = self.layout
        ax.set_axis_off()
        ax.add_collection(
            PatchCollection(
                [Rectangle((x0, y0), x1 - x0, y1 - y0) for x0, x1, y0, y1 in L.unit_blocks],
                facecolors=[UNIT_SHADES[i % 2] for i in range(len(L.unit_blocks))],
                edgecolors="none",
                zorder=0,
            )
        )
        employee = ~leader & ~delegate
        kinds = (employee, leader & ~strategy & ~delegate, strategy & ~delegate, delegate)
        # each person's cell (points), the axes' limits leaving room for the marks at the edges
        side = pad_limits(ax, L, [bool(kind.any()) for kind in kinds])
        self.people = [
            Stamps(
                ax, L, np.flatnonzero(mask), np.minimum(scale * side[mask], MAX_SIDE),
                STAGE_RGBA, marker=marker, outline=edge, edgecolors=MARK_COLOUR,
            )
            for mask, (marker, scale, edge) in zip(kinds, PEOPLE, strict=True)
        ]  # fmt: skip
        everyone = np.arange(org.n)
        self.posts = Stamps(
            ax, L, everyone, np.minimum(0.35 * side, 0.35 * MAX_SIDE), to_rgba_array(POST_COLOUR),
            marker="o", linewidths=0,
        )  # fmt: skip
        self.criticism = Stamps(
            ax, L, everyone, criticism_sizes(side), to_rgba_array(MARK_COLOUR),
            marker="x", linewidths=CROSS_WIDTH, zorder=5,
        )  # fmt: skip
        # at a given height, not placed by each full draw (a title that moves is drawn alone)
        self.title = ax.set_title(title, fontsize=16, loc="left", fontweight="bold", y=1.0)
        self.moving: list[Artist] = [
            a for s in (*self.people, self.posts, self.criticism) for a in s.artists
        ]
        self.frames = Blit(self.figure, self.moving)

    def update(self, stage: np.ndarray, posted: np.ndarray, criticised: np.ndarray) -> None:
        """Recolour people by stage and mark this week's posts and criticism."""
        for stamps in self.people:
            stamps.show(colour=stage)
        self.posts.show(shown=posted)
        self.criticism.show(shown=criticised)

    def png(self) -> bytes:
        """The figure as PNG bytes: the rest of the figure drawn once, this week's marks over
        it (:class:`~simulator.app.blit.Blit`). (A view drawn in a slide is drawn with the
        slide's own moving parts: :class:`simulator.app.charts.Slide`.)"""
        return self.frames.png()


class Stamps:
    """Marks of one style at people's places, coloured by a code per person.

    One scatter per distinct size and colour: a scatter of one size and one colour is drawn
    by stamping one rendered mark (matplotlib's ``draw_markers``; stamped marks sit on whole
    pixels), where a scatter of mixed sizes or colours draws a path per mark. A view's frame,
    PNG included, took 26 ms at 1,500 people and 115 ms at 20,000 with a path per mark drawn
    in full, and takes about 13 and 21 ms stamped over a still image. ``outline``: the
    widest outline of a mark, thinner on small marks (:func:`outlined`).
    """

    def __init__(
        self,
        ax: Axes,
        layout: Layout,
        people: np.ndarray,
        sizes: np.ndarray,
        colours: np.ndarray,
        outline: float | None = None,
        **style: Any,
    ) -> None:
        self.xy = np.column_stack([layout.x[people], layout.y[people]])
        self.people = people
        self.parts = []  # (positions in people of one size, an artist per colour)
        for size in np.unique(sizes):
            mine = np.flatnonzero(sizes == size)
            look = dict(style)
            if outline is not None:
                look["linewidths"] = outlined(outline, float(size))
            artists = [
                ax.scatter(np.empty(0), np.empty(0), s=float(size) ** 2, c=[c], **look)
                for c in colours
            ]
            self.parts.append((mine, artists))
        self.artists = [a for _, artists in self.parts for a in artists]

    def show(self, colour: np.ndarray | None = None, shown: np.ndarray | None = None) -> None:
        """Mark the people ``shown`` (all if None) in ``colours[colour[person]]`` (the first
        colour if None); both are indexed by person."""
        for mine, artists in self.parts:
            who = self.people[mine]
            code = np.zeros(len(who), dtype=np.int64) if colour is None else colour[who]
            keep = np.ones(len(who), dtype=bool) if shown is None else shown[who]
            for k, artist in enumerate(artists):
                artist.set_offsets(self.xy[mine[keep & (code == k)]])


def outlined(outline: float, side: float) -> float:
    """Width (points) of the outline of a mark ``side`` points wide: ``outline``, but at most
    OUTLINE_SHARE of the side, and none on a mark under MIN_OUTLINED points (at 20,000
    people a leader's square is 1.6 points, and a fixed outline hid its colour)."""
    return 0.0 if side < MIN_OUTLINED else min(outline, OUTLINE_SHARE * side)


def _cell_points(ax: Axes, layout: Layout) -> np.ndarray:
    """The side (points) of the square that fits in each person's cell, at the axes' limits."""
    box = ax.get_position()
    width, height = cast(Figure, ax.figure).get_size_inches()
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    w = layout.room[:, 0] / (x1 - x0) * box.width * width * 72
    h = layout.room[:, 1] / (y1 - y0) * box.height * height * 72
    return np.asarray(np.minimum(w, h))


def criticism_sizes(side: np.ndarray) -> np.ndarray:
    """Sides (points) of the crosses of criticism in cells of ``side`` points: larger than
    the person, so that they show on a dense chart, and at least 12 points."""
    return np.maximum(np.minimum(1.4 * side, MAX_SIDE), 12)


def reach(side: np.ndarray, kinds: list[bool]) -> float:
    """Points a mark reaches at most from its person's centre, in cells of ``side`` points,
    for the kinds of person (:data:`PEOPLE`) there are: half the widest mark (a cross of
    criticism, a delegate's diamond), its outline and a point for the edge's smoothing."""
    widest = float(side.max(initial=0.0))
    ends = [0.5 * float(criticism_sizes(np.array([widest]))[0]) + CROSS_WIDTH]
    for there, (marker, scale, outline) in zip(kinds, PEOPLE, strict=True):
        if there:
            mark = min(scale * widest, MAX_SIDE)
            ends.append(HALF[marker] * mark + outlined(outline, mark))
    return max(ends) + 1.0


def pad_limits(ax: Axes, layout: Layout, kinds: list[bool]) -> np.ndarray:
    """Set the axes' limits to the drawing with room around it for the marks of the people
    at its edges (:func:`reach`; a cross on the bottom row was cut in half), and return
    each person's cell side (points) at those limits."""
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(0.0, layout.rows)
    room = reach(_cell_points(ax, layout), kinds)  # points, at the limits without room
    box = ax.get_position()
    width, height = cast(Figure, ax.figure).get_size_inches()
    wide, high = box.width * width * 72, box.height * height * 72
    pad_x = room / max(wide - 2 * room, wide / 2)
    pad_y = room * layout.rows / max(high - 2 * room, high / 2)
    ax.set_xlim(-pad_x, 1.0 + pad_x)
    ax.set_ylim(-pad_y, layout.rows + pad_y)
    return _cell_points(ax, layout)  # smaller cells, smaller marks: still within the room


def legend_entries() -> tuple[list[Any], list[str]]:
    """Legend of the org view (handles, labels): stages, managers, leaders acting the
    strategy, delegates, posts, criticism."""

    def mark(marker: str, colour: str, size: float, **kw: Any) -> Line2D:
        return Line2D([], [], marker=marker, color=colour, linestyle="", markersize=size, **kw)

    handles: list[Any] = [mark("o", STAGE_COLOURS[s], 12) for s in STAGES]
    labels = [STAGE_LABELS[s] for s in STAGES]
    # as the room sees them: every manager a square (the model's leaders: people with
    # reports), the strategy leaders (those acting the arm's strategy) larger, thick outlined
    handles += [
        mark("s", "#FFFFFF", 10, markeredgecolor=MARK_COLOUR, markeredgewidth=0.8),
        mark("s", "#FFFFFF", 13, markeredgecolor=MARK_COLOUR, markeredgewidth=2.6),
        mark("D", "#FFFFFF", 11, markeredgecolor=MARK_COLOUR, markeredgewidth=1.6),
        (mark("o", STAGE_COLOURS["poster"], 12), mark("o", POST_COLOUR, 4.5)),
        mark("x", MARK_COLOUR, 12, markeredgewidth=2.5),
    ]
    labels += [
        "Manager",
        "Strategy leader",
        "Delegate",
        "Posted this week",
        "Criticised this week",
    ]
    return handles, labels


def legend_html() -> str:
    """The legend as HTML: each entry's mark as a small image, its label as text, so that the
    labels are at the page's text size at any width and wrap on a narrow screen (a legend
    drawn as one picture was scaled down with the page: 9 px text at 1280 x 720)."""
    handles, labels = legend_entries()
    items = []
    for handle, text in zip(handles, labels, strict=True):
        fig = Figure(figsize=(0.3, 0.3), dpi=200)
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_axis_off()
        ax.set(xlim=(-1, 1), ylim=(-1, 1))
        for part in handle if isinstance(handle, tuple) else (handle,):
            line = Line2D([0], [0])
            line.update_from(part)
            ax.add_line(line)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", transparent=True)
        data = base64.b64encode(buffer.getvalue()).decode("ascii")
        items.append(
            f'<span class="orgsim-legend-item"><img alt="" src="data:image/png;base64,{data}">'
            f"{html.escape(text)}</span>"
        )
    return "".join(items)
