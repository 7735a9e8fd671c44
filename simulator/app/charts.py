"""The workshop's charts: adoption curves of both arms, adoption by level, PNG and GIF export.

Large fonts and the project's colours (:func:`simulator.plots_colours.arm_colours`), for a
projector. :class:`Live` holds the page's two charts and moves them week by week, drawing only what
moves (:class:`~simulator.app.blit.Blit`); :func:`slide` draws everything on one figure (the
PNG export); :func:`animation` moves one :class:`Slide` through the weeks into an animated
GIF.

Examples
--------
>>> from simulator.params import Params
>>> from simulator.app.paired import PairedRun
>>> run = PairedRun.start(Params().with_updates({"org.size": 80, "steps": 3}), seed=1).step(3)
>>> slide_png(run)[:4] == b"\\x89PNG"
True
>>> animation(run)[:6]
b'GIF89a'
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import cast

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator, PercentFormatter
from matplotlib.transforms import offset_copy
from PIL import Image

from simulator import plots_text
from simulator.app.blit import Blit, pngs
from simulator.app.orgview import Layout, OrgView, hierarchy_layout, legend_entries
from simulator.app.paired import PairedRun
from simulator.app.predict import percent
from simulator.plots_colours import arm_colours

FONT = {"title": 17, "label": 15, "tick": 13, "legend": 13}

SIZE = (8.4, 4.0)
"""A chart's size in inches, at 100 pixels an inch: 840 x 400 pixels (the arms' labels sit
right of the axes, where a legend over the curves and bars hid them)."""

KEPT = 185
"""Pixels of the window's height the page keeps, per org view and chart row, for the bar,
the arms' headings, the legend and the guess (``page.CSS`` sizes the images from it)."""

LOWEST = 220
"""The charts' least height in pixels (on a short screen the page scrolls instead)."""

TITLE_LEFT = 8
"""Pixels from a chart's left edge to its title."""

TITLE_PAD = 14
"""Points between a chart's title and its axes: the top tick label (``100%``) reaches half
its height above the axes, and at matplotlib's 6 the title sat on it."""

MARGINS = (79, 14, 64, 52)
"""A chart's margins in pixels (left, right, bottom, top): room for the tick labels, the
axis label and the title (:data:`TITLE_PAD` above the axes) at :data:`FONT`'s sizes,
whatever the chart's size; the arms' labels add theirs on the right (:func:`label_room`)."""

LABEL_GAP = 8
"""Pixels (at 100 an inch) between the axes and the arms' labels right of them."""

TICK_ROOM = 70
"""Pixels (at 100 an inch) of a chart's tick labels left of its axes, on the slide."""

PATCH = 22
"""Pixels of a level chart's colour patch and its gap before the arm's name."""


def text_width(text: str, size: float = FONT["legend"]) -> float:
    """Pixels (at 100 an inch) ``text`` takes at ``size`` points."""
    return plots_text.text_width(text, size) * 100 / 72


def name_lines(arm: str) -> str:
    """An arm's name as its label shows it: ``model (right)`` on two lines, so that the same
    strategy on both sides does not squash the charts on a small screen."""
    return arm.replace(" (", "\n(")


def label_room(arms: Sequence[str]) -> float:
    """Pixels right of the axes for the arms' labels: the widest name (or share) after a
    colour patch, as :class:`Levels` shows them; :class:`Curves` takes the same, so that
    both charts' axes line up."""
    widest = max(
        text_width(line) for arm in arms for line in (*name_lines(arm).split("\n"), "100 %")
    )
    return LABEL_GAP + PATCH + widest + 4


def fitted(window_height: float, column_width: float = 2000) -> tuple[float, float]:
    """The charts' size (inches) for a browser window ``window_height`` pixels high whose
    chart columns are ``column_width`` pixels wide: the height the page gives them (half
    the window less :data:`KEPT`, at least :data:`LOWEST`, at most 400), at the usual
    shape, narrower if the column is, so that they are shown at their own size and their
    text at :data:`FONT`'s (drawn at 840 x 400 and shown 240 pixels high on a 768-pixel
    projector, 13-pixel text read as 8).

    >>> fitted(1080), fitted(768), fitted(1200, column_width=420)
    ((7.46, 3.55), (4.62, 2.2), (4.2, 2.0))
    """
    high = min(
        max(window_height / 2 - KEPT, LOWEST), 100 * SIZE[1], column_width * SIZE[1] / SIZE[0]
    )
    return (round(high * SIZE[0] / SIZE[1] / 100, 2), round(high / 100, 2))


def _figure(size: tuple[float, float], arms: Sequence[str]) -> tuple[Figure, Axes]:
    fig = Figure(figsize=size, dpi=100)  # fixed margins: a constrained layout costs ~100 ms
    FigureCanvasAgg(fig)
    (left, margin, bottom, top), (wide, high) = MARGINS, (100 * size[0], 100 * size[1])
    right = margin + label_room(arms)
    fig.subplots_adjust(
        left=left / wide, right=1 - right / wide, bottom=bottom / high, top=1 - top / high
    )
    return fig, fig.add_subplot()


def _style(ax: Axes, title: str, xlabel: str, own: bool) -> Text:
    """Fonts, grid and title of a chart; ``own``: drawn in a figure of :func:`_figure`'s
    fixed margins, whose title starts near the figure's edge."""
    ax.set_xlabel(xlabel, fontsize=FONT["label"])
    ax.tick_params(labelsize=FONT["tick"])
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", alpha=0.3)
    # at a given height, not placed by each full draw (a title that moves is drawn alone);
    # in its own figure from near the figure's left edge, not the axes': at 720 pixels high
    # the chart is 396 wide and "Share posting · week 52" ran 6 past its edge
    x, box, fig_wide = 0.0, ax.get_position(), ax.figure.bbox.width
    if own:
        x = (TITLE_LEFT - box.x0 * fig_wide) / (box.width * fig_wide)
    return ax.set_title(
        title, fontsize=FONT["title"], loc="left", fontweight="bold", x=x, y=1.0, pad=TITLE_PAD
    )


MOVING_Z = 3
"""The ``zorder`` of what moves in a chart (curves, bars): above the axes' lines and ticks
(2.5), so that drawing it over a still image (:class:`~simulator.app.blit.Blit`) gives what
a full draw gives."""


def top_of(data: np.ndarray) -> float:
    """The curves' upper limit: at least 50 %, room above the highest point, in steps of 10 %
    (so that it moves a few times a run, not every week)."""
    return max(0.5, math.ceil(float(data.max()) * 1.15 * 10 - 1e-9) / 10)


class Curves:
    """Share of posters per week in both arms, to the horizon; a guess is a dashed mark.

    :meth:`update` moves the chart to the run's week; :attr:`moving` are the artists that
    change from week to week, :attr:`top` the upper limit (the still parts change with it).
    """

    def __init__(
        self,
        run: PairedRun,
        ax: Axes | None = None,
        guess: Sequence[float | None] = (None, None),
        size: tuple[float, float] = SIZE,
    ) -> None:
        own = ax is None
        fig, ax = _figure(size, run.arms) if ax is None else (ax.figure, ax)
        self.figure, self.ax, self.arms = cast(Figure, fig), ax, run.arms
        colours = arm_colours(run.arms)
        self.lines = [
            ax.plot([], [], color=colours[arm], lw=3.5, label=arm, zorder=MOVING_Z)[0]
            for arm in run.arms
        ]
        for k, arm in enumerate(run.arms):
            g = guess[k]
            if g is not None:
                ax.plot(
                    [run.horizon * 0.94, run.horizon * 1.02],
                    [g, g],
                    color=colours[arm],
                    lw=3,
                    ls="--",
                )
        ax.set_xlim(0, run.horizon * 1.03)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        self.title = _style(ax, "", "Week", own)
        # each arm's name and share right of its curve's end (a legend over the curves hid
        # them where they rose through it)
        beside = offset_copy(ax.transAxes, fig=self.figure, x=LABEL_GAP * 0.72, units="points")
        self.labels = [
            ax.text(
                1.0,
                0.0,
                "",
                transform=beside,
                color=colours[arm],
                fontsize=FONT["legend"],
                fontweight="bold",
                va="center",
                linespacing=1.1,
                clip_on=False,
                zorder=MOVING_Z,
            )
            for arm in run.arms
        ]
        # labels kept apart by their height, a share of the axes' (at 100 pixels an inch)
        tall = max(name_lines(arm).count("\n") + 2 for arm in run.arms)  # (2 or 3 lines)
        high = ax.get_window_extent().height * 100 / self.figure.dpi
        self.apart = LABEL_HEIGHT * tall / 2 / max(high, 1.0)
        self.moving: list[Artist] = [*self.lines, self.title, *self.labels]
        self.top = 0.0
        self.update(run)

    def update(self, run: PairedRun) -> None:
        data = run.poster_curves()
        weeks = np.arange(data.shape[1])
        for k, arm in enumerate(self.arms):
            self.lines[k].set_data(weeks, data[k])
            self.labels[k].set_text(f"{name_lines(arm)}\n{percent(data[k, -1])}")
        self.top = top_of(data)
        self.ax.set_ylim(0, self.top)
        # each label whole inside the axes' height: one at the top stood level with the title
        ends = spread(data[:, -1] / self.top, self.apart, self.apart / 2, 1 - self.apart / 2)
        for label, y in zip(self.labels, ends, strict=True):
            label.set_y(y)
        self.title.set_text(f"Share posting · week {run.week}")


LABEL_HEIGHT = 48
"""Pixels an arm's label of two lines (its name over its share) takes: labels are kept this
far apart (one of three lines, half as far again)."""


def spread(heights: np.ndarray, apart: float, low: float = 0.0, high: float = 1.0) -> list[float]:
    """Heights for labels of the values ``heights`` (0-1 of the axes), each as near its own
    as can be with any two at least ``apart``, none above ``high`` and, if they fit, none
    below ``low`` (:class:`Curves` keeps its labels' centres half a label inside the axes).

    >>> [round(h, 2) for h in spread(np.array([0.30, 0.32]), 0.2)]
    [0.21, 0.41]
    >>> [round(h, 2) for h in spread(np.array([0.0, 0.01]), 0.2)]
    [0.0, 0.2]
    >>> [round(h, 2) for h in spread(np.array([0.85, 0.9]), 0.2, 0.1, 0.9)]
    [0.7, 0.9]
    """
    order = np.argsort(heights, kind="stable")
    wanted = np.asarray(heights, dtype=float)[order]
    groups: list[tuple[float, list[float]]] = []  # (lowest label's height, wanted heights)
    for h in wanted:  # up from the lowest; a label that would overlap the group below joins it
        values = [h]
        while True:
            k = len(values)  # the group centred on where its labels would be, then kept in
            start = max(float(np.mean(values)) - (k - 1) * apart / 2, low)
            start = min(start, high - (k - 1) * apart)  # the top first, if they do not fit
            if not groups or groups[-1][0] + len(groups[-1][1]) * apart <= start:
                groups.append((start, values))
                break
            values = groups.pop()[1] + values
    placed = np.array([start + i * apart for start, values in groups for i in range(len(values))])
    out = np.empty_like(placed)
    out[order] = placed
    return [float(h) for h in out]


def curves(
    run: PairedRun, ax: Axes | None = None, guess: Sequence[float | None] = (None, None)
) -> Figure:
    """Share of posters per week in both arms, to the horizon (:class:`Curves`)."""
    return Curves(run, ax, guess).figure


class Levels:
    """Share posting by hierarchy level (0 = top), both arms, this week; :meth:`update`
    moves it to the run's week (the bars and the legend over them are :attr:`moving`)."""

    def __init__(
        self, run: PairedRun, ax: Axes | None = None, size: tuple[float, float] = SIZE
    ) -> None:
        own = ax is None
        fig, ax = _figure(size, run.arms) if ax is None else (ax.figure, ax)
        self.figure = cast(Figure, fig)
        colours = arm_colours(run.arms)
        n_levels = len(run.current(0).level_posters)
        x = np.arange(n_levels)
        width = 0.4
        self.bars = [
            ax.bar(
                x + (k - 0.5) * width,
                np.zeros(n_levels),
                width,
                color=colours[arm],
                label=name_lines(arm),
                zorder=MOVING_Z,
            )
            for k, arm in enumerate(run.arms)
        ]
        ax.set_xticks(x, [("0 top" if lv == 0 else str(lv)) for lv in x])
        ax.set_ylim(0, 1)
        self.title = _style(ax, "Share posting by level", "Level (0 = top)", own)
        legend = ax.legend(  # right of the axes: over the bars it hid them
            fontsize=FONT["legend"],
            frameon=False,
            loc="upper left",
            bbox_to_anchor=(1.0, 1.0),
            borderaxespad=0.0,
            borderpad=0.0,
            handlelength=0.9,
            handletextpad=0.5,
        )
        self.moving: list[Artist] = [*(r for bars in self.bars for r in bars), legend]
        self.update(run)

    def update(self, run: PairedRun) -> None:
        for k, bars in enumerate(self.bars):
            for rect, value in zip(bars, run.current(k).level_posters, strict=True):
                rect.set_height(value)


def levels(run: PairedRun, ax: Axes | None = None) -> Figure:
    """Share posting by hierarchy level (0 = top), both arms, this week (:class:`Levels`)."""
    return Levels(run, ax).figure


class Live:
    """The page's two charts for one run and guess, built once; :meth:`png` moves them to the
    run's week and draws only what moved (:class:`~simulator.app.blit.Blit`), the same
    pixels as :func:`curves` and :func:`levels` drawn afresh."""

    def __init__(
        self,
        run: PairedRun,
        guess: Sequence[float | None] = (None, None),
        size: tuple[float, float] = SIZE,
    ) -> None:
        self.curves = Curves(run, guess=guess, size=size)
        self.levels = Levels(run, size=size)
        self.frames = (
            Blit(self.curves.figure, self.curves.moving),
            Blit(self.levels.figure, self.levels.moving),
        )

    def png(self, run: PairedRun) -> tuple[bytes, bytes]:
        """Both charts at ``run``'s week, as PNG bytes."""
        self.curves.update(run)
        self.levels.update(run)
        curves, levels = pngs([(self.frames[0], self.curves.top), (self.frames[1], None)])
        return curves, levels


def png(fig: Figure, dpi: int = 100) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


class Slide:
    """Both org views, the curves and the level bars on one 16:9 figure, at a week of the run;
    :meth:`update` moves it to another week (what changes is :attr:`moving`)."""

    def __init__(
        self,
        run: PairedRun,
        week: int | None = None,
        layout: Layout | None = None,
        guess: Sequence[float | None] = (None, None),
        dpi: float = 100,
    ) -> None:
        fig = Figure(figsize=(16, 9), dpi=dpi)  # fixed margins (a constrained layout: +150 ms)
        FigureCanvasAgg(fig)
        # the arms' labels right of the curves, then the bars' tick labels, and the arms'
        # names right of the bars: room in inches (text is in points, whatever the dpi)
        room = label_room(run.arms) / 100
        left, right = 0.05, 0.99 - room / 16
        gap = room + TICK_ROOM / 100
        grid = fig.add_gridspec(
            2,
            2,
            height_ratios=(1.15, 1),
            left=left,
            right=right,
            top=0.96,
            bottom=0.13,
            wspace=2 * gap / ((right - left) * 16 - gap),  # (of the mean width of a chart)
            hspace=0.2,
        )
        layout = layout or hierarchy_layout(run.org)
        marks = run.marks()
        self.figure, self.run = fig, run
        self.views = [
            OrgView(
                run.org,
                marks["leader"],
                marks[f"strategy{k}"],
                marks[f"delegate{k}"],
                title=arm,
                ax=fig.add_subplot(grid[0, k]),
                layout=layout,
            )
            for k, arm in enumerate(run.arms)
        ]
        shown = _upto(run, run.week if week is None else week)
        self.curves = Curves(shown, fig.add_subplot(grid[1, 0]), guess)
        self.levels = Levels(shown, fig.add_subplot(grid[1, 1]))
        handles, labels = legend_entries()
        fig.legend(
            handles, labels, loc="lower center", ncols=8, fontsize=FONT["legend"], frameon=False
        )
        self.moving: list[Artist] = [
            *(a for view in self.views for a in (*view.moving, view.title)),
            *self.curves.moving,
            *self.levels.moving,
        ]
        self.update(run.week if week is None else week)

    def update(self, week: int) -> None:
        for k, (arm, view) in enumerate(zip(self.run.arms, self.views, strict=True)):
            snap = self.run.history[k][week]
            view.title.set_text(f"{arm} · {percent(snap.poster_share)} posting")
            view.update(snap.stage, snap.posted, snap.criticised)
        shown = _upto(self.run, week)
        self.curves.update(shown)
        self.levels.update(shown)


def slide(
    run: PairedRun,
    week: int | None = None,
    layout: Layout | None = None,
    guess: Sequence[float | None] = (None, None),
) -> Figure:
    """Both org views, the curves and the level bars on one 16:9 figure (week: default now)."""
    return Slide(run, week, layout, guess).figure


def _upto(run: PairedRun, week: int) -> PairedRun:
    """A view of ``run`` whose history ends at ``week`` (no copy of the snapshots' arrays)."""
    if week == run.week:
        return run
    history = (run.history[0][: week + 1], run.history[1][: week + 1])
    return PairedRun(run.params, run.seed, run.arms, run.models, history)


def slide_png(run: PairedRun, guess: Sequence[float | None] = (None, None)) -> bytes:
    """The current slide as PNG bytes (the page's one-click export)."""
    return png(slide(run, guess=guess))


GIF_FRAMES = 27
"""Frames of a GIF export at most."""

GIF_DPI = 60
"""Resolution of a GIF export's frames (960 x 540 pixels)."""


def gif_every(weeks: int) -> int:
    """Weeks per GIF frame so that a run of ``weeks`` weeks makes at most ``GIF_FRAMES``."""
    return max(1, -(-weeks // (GIF_FRAMES - 1)))


def animation(
    run: PairedRun,
    *,
    every: int = 1,
    ms_per_frame: int = 250,
    guess: Sequence[float | None] = (None, None),
) -> bytes:
    """An animated GIF of the run so far, one frame per ``every`` weeks (last one held),
    with the room's ``guess`` marked as on the slide."""
    weeks = list(range(0, run.week + 1, max(1, every)))
    if weeks[-1] != run.week:
        weeks.append(run.week)
    slide = Slide(run, weeks[0], dpi=GIF_DPI, guess=guess)
    frames, still = [], Blit(slide.figure, slide.moving)
    for week in weeks:
        slide.update(week)
        image = Image.fromarray(still.pixels(key=slide.curves.top), "RGBA")
        frames.append(image.convert("P", palette=Image.Palette.ADAPTIVE, colors=64))
    durations = [ms_per_frame] * (len(frames) - 1) + [ms_per_frame * 8]
    buffer = io.BytesIO()
    frames[0].save(
        buffer,
        format="GIF",
        save_all=True,
        append_images=frames[1:],
        duration=durations,
        loop=0,
        optimize=False,
    )
    return buffer.getvalue()
