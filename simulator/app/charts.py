"""The workshop's charts: adoption curves of both arms, adoption by level, PNG and GIF export.

Large fonts and the project's colours (:func:`simulator.plots.arm_colours`), for a projector.
:func:`slide` draws everything on one figure (the PNG export); :func:`animation` renders one
slide per recorded week into an animated GIF.

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
from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from simulator.app.orgview import Layout, OrgView, hierarchy_layout, legend_entries
from simulator.app.paired import PairedRun
from simulator.app.predict import percent
from simulator.plots import arm_colours

FONT = {"title": 17, "label": 15, "tick": 13, "legend": 13}


def _figure(size: tuple[float, float]) -> tuple[Figure, Axes]:
    fig = Figure(figsize=size, dpi=100)  # fixed margins: a constrained layout costs ~100 ms
    FigureCanvasAgg(fig)
    fig.subplots_adjust(left=0.11, right=0.98, bottom=0.16, top=0.9)
    return fig, fig.add_subplot()


def _style(ax: Axes, title: str, xlabel: str) -> None:
    ax.set_title(title, fontsize=FONT["title"], loc="left", fontweight="bold")
    ax.set_xlabel(xlabel, fontsize=FONT["label"])
    ax.tick_params(labelsize=FONT["tick"])
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", alpha=0.3)


def curves(
    run: PairedRun, ax: Axes | None = None, guess: Sequence[float | None] = (None, None)
) -> Figure:
    """Share of posters per week in both arms, to the horizon; a guess is a dashed mark."""
    fig, ax = _figure((7.2, 4.0)) if ax is None else (ax.figure, ax)
    colours = arm_colours(run.arms)
    data = run.poster_curves()
    weeks = np.arange(data.shape[1])
    for k, arm in enumerate(run.arms):
        share = data[k, -1]
        ax.plot(weeks, data[k], color=colours[arm], lw=3.5, label=f"{arm}: {percent(share)}")
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
    ax.set_ylim(0, max(0.5, float(data.max()) * 1.15))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    _style(ax, f"Share posting · week {run.week}", "Week")
    ax.legend(fontsize=FONT["legend"], frameon=False, loc="upper left")
    return fig  # type: ignore[return-value]


def levels(run: PairedRun, ax: Axes | None = None) -> Figure:
    """Share posting by hierarchy level (0 = top), both arms, this week."""
    fig, ax = _figure((7.2, 4.0)) if ax is None else (ax.figure, ax)
    colours = arm_colours(run.arms)
    n_levels = len(run.current(0).level_posters)
    x = np.arange(n_levels)
    width = 0.4
    for k, arm in enumerate(run.arms):
        values = run.current(k).level_posters
        ax.bar(x + (k - 0.5) * width, values, width, color=colours[arm], label=arm)
    ax.set_xticks(x, [("0 top" if lv == 0 else str(lv)) for lv in x])
    ax.set_ylim(0, 1)
    _style(ax, "Share posting by level", "Level (0 = top)")
    ax.legend(fontsize=FONT["legend"], frameon=False, loc="upper right")
    return fig  # type: ignore[return-value]


def png(fig: Figure, dpi: int = 100) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def slide(
    run: PairedRun,
    week: int | None = None,
    layout: Layout | None = None,
    guess: Sequence[float | None] = (None, None),
) -> Figure:
    """Both org views, the curves and the level bars on one 16:9 figure (week: default now)."""
    week = run.week if week is None else week
    fig = Figure(figsize=(16, 9), dpi=100)  # fixed margins (a constrained layout: +150 ms)
    FigureCanvasAgg(fig)
    grid = fig.add_gridspec(
        2,
        2,
        height_ratios=(1.15, 1),
        left=0.05,
        right=0.99,
        top=0.96,
        bottom=0.13,
        wspace=0.12,
        hspace=0.2,
    )
    layout = layout or hierarchy_layout(run.org)
    marks = run.marks()
    for k, arm in enumerate(run.arms):
        snap = run.history[k][week]
        view = OrgView(
            run.org,
            marks["leader"],
            marks[f"strategy{k}"],
            marks[f"delegate{k}"],
            title=f"{arm} · {percent(snap.poster_share)} posting",
            ax=fig.add_subplot(grid[0, k]),
            layout=layout,
        )
        view.update(snap.stage, snap.posted, snap.criticised)
    shown = _upto(run, week)
    curves(shown, fig.add_subplot(grid[1, 0]), guess)
    levels(shown, fig.add_subplot(grid[1, 1]))
    handles, labels = legend_entries()
    fig.legend(handles, labels, loc="lower center", ncols=7, fontsize=FONT["legend"], frameon=False)
    return fig


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
"""Frames of a GIF export at most (about 0.2 s each to draw at 1,500 people)."""


def gif_every(weeks: int) -> int:
    """Weeks per GIF frame so that a run of ``weeks`` weeks makes at most ``GIF_FRAMES``."""
    return max(1, -(-weeks // (GIF_FRAMES - 1)))


def animation(run: PairedRun, *, every: int = 1, ms_per_frame: int = 250) -> bytes:
    """An animated GIF of the run so far, one frame per ``every`` weeks (last one held)."""
    from PIL import Image

    layout = hierarchy_layout(run.org)
    weeks = list(range(0, run.week + 1, max(1, every)))
    if weeks[-1] != run.week:
        weeks.append(run.week)
    frames = []
    for week in weeks:
        image = Image.open(io.BytesIO(png(slide(run, week, layout), dpi=60)))
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
