"""Figures of runs and comparisons: results in, :class:`~matplotlib.figure.Figure` out.

Nothing here reads or writes files except :func:`save`. Figures are built on
:class:`matplotlib.figure.Figure` directly (not ``pyplot``), so they work under any backend
and are freed with their last reference. Each stage has one colour everywhere, from the
colour-blind-safe Okabe-Ito palette: non-users grey, listeners blue, posters vermillion.
With several replications a line is the median over replications and the band spans the
10th to 90th percentile. The arms of a scenario have one colour each, in every figure
(:func:`arm_colours`); the figures of sweeps are in :mod:`simulator.sweep_plots`.

Examples
--------
>>> from simulator import OrgModel, Params
>>> model = OrgModel(Params().with_updates({"org.size": 100, "steps": 5}), rng=1).run()
>>> fig = run_figure(model.series(), model.levels(), "100 people")
>>> len(fig.axes)
2
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.textpath import TextToPath
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from simulator.analysis import SHARES as SHARES  # (the figures' shares, one list)
from simulator.measures import MEASURES
from simulator.measures import label as measure_label

if TYPE_CHECKING:
    from simulator.orgchart import Org

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
BAND: tuple[float, float] = (0.1, 0.9)
FONT = {"title": 13, "label": 11, "tick": 10, "legend": 9.5}

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
METRIC_LABELS: dict[str, str] = {name: m.label for name, m in MEASURES.items()}
"""Axis labels of the outcomes and series (:data:`simulator.measures.MEASURES`)."""


def adoption_curves(series: pd.DataFrame, *, title: str = "", ax: Axes | None = None) -> Figure:
    """Shares of non-users, listeners and posters against the week.

    Parameters
    ----------
    series : DataFrame
        Tidy per-step table (:meth:`simulator.model.OrgModel.series`) with columns ``step``,
        ``replication`` and the stage shares; several replications give a median and a band.
    title : str
        Panel title.
    ax : Axes, optional
        Where to draw; a new figure otherwise.
    """
    _table("adoption_curves", series, "model.series()", ["step", *STAGES])
    reps = _replications(series)
    fig, ax = _axes(ax, (6.0, 4.3))
    for stage in STAGES:
        _band_line(ax, series, stage, STAGE_COLOURS[stage], STAGE_LABELS[stage], reps > 1)
    _style(ax, title or "Adoption", "Share of people")
    ax.set_ylim(0, 1)
    ax.legend(
        loc="best",
        fontsize=FONT["legend"],
        title=_band_note(reps),
        title_fontsize=FONT["legend"],
        frameon=False,
    )
    return fig


def level_panel(levels: pd.DataFrame, ax: Axes | None = None) -> Figure:
    """Poster share over time by hierarchy level (level 0 = top), median over replications.

    Parameters
    ----------
    levels : DataFrame
        Tidy per-step, per-level table (:meth:`simulator.model.OrgModel.levels`) with
        columns ``step``, ``replication``, ``level``, ``people`` and ``poster``.
    ax : Axes, optional
        Where to draw; a new figure otherwise.
    """
    _table("level_panel", levels, "model.levels()", ["step", "level", "people", "poster"])
    fig, ax = _axes(ax, (6.0, 4.3))
    median = levels.groupby(["level", "step"])["poster"].median()
    people = levels.groupby("level")["people"].first()
    deepest = int(people.index.max())
    colours = colormaps["viridis"](np.linspace(0.0, 0.85, deepest + 1))
    for level in people.index:
        line = median.loc[level]
        name = {0: " top", deepest: " front line"}.get(int(level), "") if deepest else " top"
        label = f"{level}{name} ({int(people.loc[level]):,})"
        ax.plot(line.index, line.to_numpy(), color=colours[int(level)], lw=2, label=label)
    _style(ax, "Posters by level", "Share of the level posting")
    ax.set_ylim(0, 1.02)  # (a level all posting stays visible above the frame's edge)
    if len(people) <= MAX_LEVEL_LEGEND:
        ax.legend(
            loc="best",
            fontsize=FONT["legend"],
            title="Level (people)",
            title_fontsize=FONT["legend"],
            frameon=False,
            ncol=2 if len(people) > 6 else 1,
        )
    else:  # a deep hierarchy: a colour scale, not a legend entry per level over the lines
        scale = ScalarMappable(norm=Normalize(0, deepest / 0.85), cmap=colormaps["viridis"])
        bar = fig.colorbar(scale, ax=ax, fraction=0.05, pad=0.02)
        bar.ax.set_ylim(-0.5, deepest + 0.5)
        bar.ax.invert_yaxis()
        bar.ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
        bar.set_label("Level (0 = top)", fontsize=FONT["legend"])
        bar.ax.tick_params(labelsize=FONT["tick"])
    return fig


MAX_LEVEL_LEGEND = 8
"""More levels than this get a colour scale instead of a legend entry each."""


def run_figure(series: pd.DataFrame, levels: pd.DataFrame, title: str) -> Figure:
    """:func:`adoption_curves` and :func:`level_panel` side by side, under ``title``:
    ``series`` is the shares per week (``model.series()``), ``levels`` the posters by level
    (``model.levels()``)."""
    for name, table, column, source in (
        ("series", series, "poster", "model.series()"),
        ("levels", levels, "level", "model.levels()"),
    ):
        if not isinstance(table, pd.DataFrame) or column not in table:
            raise ValueError(
                f"run_figure(series, levels, title): {name} is the table of {source} (with a"
                f" {column!r} column); got {_described(table)}"
            )
    fig = Figure(figsize=(12.0, 4.6), layout="constrained")
    left, right = fig.subplots(1, 2)
    adoption_curves(series, title="All people", ax=left)
    level_panel(levels, ax=right)
    fig.suptitle(title, fontsize=FONT["title"] + 1)
    return fig


def poster_difference(first: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    """Per-step, per-replication difference in poster share, ``second - first``.

    Replications are paired by their number (the same seed in both arms).

    Returns
    -------
    DataFrame
        Columns ``step``, ``replication`` and ``diff``.
    """
    keys = ["step", "replication"]
    for frame in (first, second):
        _table("poster_difference", frame, "model.series()", ["step", "poster"])
        _replications(frame)
        if "replication" not in frame:
            raise ValueError("poster_difference pairs runs by their 'replication' column")
    both = first[[*keys, "poster"]].merge(second[[*keys, "poster"]], on=keys, suffixes=("_a", "_b"))
    both["diff"] = both["poster_b"] - both["poster_a"]
    return both[[*keys, "diff"]]


def compare_figure(
    series_by_arm: dict[str, pd.DataFrame], paired: pd.DataFrame | None = None
) -> Figure:
    """Stage shares of each arm side by side, and the paired poster-share difference.

    Parameters
    ----------
    series_by_arm : dict of str to DataFrame
        Per-step series of each arm (as for :func:`adoption_curves`), in arm order.
    paired : DataFrame, optional
        Per-step, per-replication poster-share difference between the second and the first
        arm (columns ``step``, ``replication``, ``diff``, see :func:`poster_difference`);
        computed from ``series_by_arm`` when omitted.

    Returns
    -------
    Figure
        One panel per arm with a shared y axis, then (with two arms or more) a panel of the
        difference: its median over replications and the 10-90 % band.
    """
    if not isinstance(series_by_arm, Mapping):
        raise TypeError(
            "compare_figure takes the arms' series by name, e.g. {'model': s1, 'delegate': s2};"
            f" got {_described(series_by_arm)}"
        )
    arms = list(series_by_arm)
    if not arms:
        raise ValueError("compare_figure needs at least one arm")
    if paired is None and len(arms) >= 2:
        paired = poster_difference(series_by_arm[arms[0]], series_by_arm[arms[1]])
    panels = len(arms) + (paired is not None)
    fig = Figure(figsize=(min(4.4 * panels + 0.6, 24.0), 4.6), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, panels, squeeze=False)[0])
    for i, arm in enumerate(arms):
        ax = axes[i]
        adoption_curves(series_by_arm[arm], title=arm, ax=ax)
        if i:
            ax.sharey(axes[0])
            ax.set_ylabel("")
            ax.tick_params(labelleft=False)
            legend = ax.get_legend()
            if legend is not None:
                legend.remove()
    if paired is not None:
        ax = axes[-1]
        reps = paired["replication"].nunique()
        paired = paired.rename(columns={"diff": "poster"})
        _band_line(ax, paired, "poster", DIFFERENCE_COLOUR, "Median difference", reps > 1)
        ax.axhline(0.0, color="black", lw=0.8, ls="--")
        _style(ax, f"Posters: {arms[1]} − {arms[0]}", "Difference in poster share")
        # a difference of under a point read "0%" at every tick: as many decimals as needed
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=None))
        ax.legend(
            loc="best",
            fontsize=FONT["legend"],
            title=f"paired by seed, {_band_note(reps)}",
            title_fontsize=FONT["legend"],
            frameon=False,
        )
    return fig


def org_chart(
    org: Org,
    *,
    stage: Sequence[str] | None = None,
    ties: bool = True,
    labels: bool = False,
    title: str = "",
    ax: Axes | None = None,
) -> Figure:
    """Draw an organisation as a tree: the top leader at the top, one row per level.

    Reporting lines are solid; informal lateral ties are drawn thin and light. People are
    coloured by their stage (non-user, listener, poster) when ``stage`` is given, else by
    their unit. Meant for small organisations (up to a few hundred people).

    Parameters
    ----------
    org : Org or OrgModel
        The organisation (:func:`simulator.build_org`, ``OrgModel.org``); given a model,
        its organisation, coloured by its people's stages this week.
    stage : sequence of str, optional
        Each person's stage, e.g. ``[p.stage for p in model.people]``.
    ties : bool
        Draw the informal lateral ties.
    labels : bool
        Write each person's id next to them.
    title : str
        Panel title.
    ax : Axes, optional
        Where to draw; a new figure otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> from simulator import Params, build_org
    >>> org = build_org(Params().with_updates({"org.size": 40}).org, np.random.default_rng(1))
    >>> len(org_chart(org).axes)
    1
    """
    if not hasattr(org, "manager") and hasattr(org, "org") and hasattr(org, "state"):
        from simulator.state import STAGES as CODED  # a model: its people's stages now

        model: Any = org
        org = model.org
        if stage is None:
            stage = [CODED[int(code)] for code in model.state.stage[0]]
    codes = None if stage is None else np.asarray(list(stage), dtype=object)
    if codes is not None and codes.shape != (org.n,):
        raise ValueError(
            f"stage has {len(codes):,} entries for {org.n:,} people: give one per person,"
            " e.g. [p.stage for p in model.people], or draw the model: org_chart(model)"
        )
    if codes is not None and not set(codes) <= set(STAGES):
        odd = sorted(map(repr, set(codes) - set(STAGES)))[:3]
        raise ValueError(f"stage {', '.join(odd)}: each must be one of {', '.join(STAGES)}")
    fig, ax = _axes(ax, (9.0, 4.5))
    x = _tree_x(org.manager)
    y = -np.asarray(org.level, dtype=float)
    below = np.flatnonzero(org.manager >= 0)
    lines = [[(x[i], y[i]), (x[m], y[m])] for i, m in zip(below, org.manager[below], strict=True)]
    ax.add_collection(LineCollection(lines, colors="#555555", linewidths=0.8, zorder=1))
    if ties and len(org.lateral):
        pairs = [[(x[i], y[i]), (x[j], y[j])] for i, j in org.lateral]
        width, alpha = (1.6, 0.9) if org.n <= 50 else (0.5, 0.35)  # a few ties: show them
        ax.add_collection(
            LineCollection(pairs, colors="#009E73", linewidths=width, alpha=alpha, zorder=0)
        )
    size = float(np.clip(2500 / max(org.n, 1), 6, 120))
    if codes is not None:
        for name in STAGES:
            mine = codes == name
            ax.scatter(
                x[mine],
                y[mine],
                s=size,
                color=STAGE_COLOURS[name],
                zorder=2,
                label=f"{STAGE_LABELS[name]} ({int(mine.sum())})",
            )
    else:
        for u, name in enumerate(org.unit_names):
            mine = np.asarray(org.unit) == u
            colour = ARM_PALETTE[u % len(ARM_PALETTE)]
            ax.scatter(x[mine], y[mine], s=size, color=colour, zorder=2, label=name)
    if labels:
        for i in range(org.n):
            ax.annotate(
                str(org.ids[i]),
                (x[i], y[i]),
                xytext=(0, 7),
                textcoords="offset points",
                ha="center",
                fontsize=FONT["tick"],
            )
    ax.set_yticks(-np.arange(org.levels), [str(v) for v in range(org.levels)])
    ax.set_ylabel("Level (0 = top)", fontsize=FONT["label"])
    ax.set_xticks([])
    ax.set_title(title or f"{org.n:,} people", fontsize=FONT["title"])
    ax.margins(x=0.03, y=0.12)
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    ax.legend(loc="upper left", fontsize=FONT["legend"], frameon=False)
    return fig


def _tree_x(manager: np.ndarray) -> np.ndarray:
    """Horizontal positions: leaves side by side in depth-first order, a manager centred
    over their reports.

    >>> _tree_x(np.array([-1, 0, 0, 1, 1])).tolist()  # 0 manages 1, 2; 1 manages 3, 4
    [1.25, 0.5, 2.0, 0.0, 1.0]
    """
    n = len(manager)
    children: list[list[int]] = [[] for _ in range(n)]
    for i, m in enumerate(manager):
        if m >= 0:
            children[int(m)].append(i)
    x = np.zeros(n)
    leaf = 0
    stack = [(int(r), False) for r in np.flatnonzero(manager < 0)[::-1]]
    while stack:
        node, done = stack.pop()
        if not children[node]:
            x[node] = leaf
            leaf += 1
        elif done:
            x[node] = x[children[node]].mean()
        else:
            stack.append((node, True))
            stack.extend((c, False) for c in reversed(children[node]))
    return x


def save(fig: Figure, path: str | os.PathLike[str], *, dpi: int = 150) -> None:
    """Write ``fig`` to ``path`` (format from the extension, e.g. ``.png`` or ``.pdf``)."""
    fig.savefig(path, dpi=dpi, facecolor="white")


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
    """``colour`` (``#RRGGBB``) mixed with black: ``by`` of the way to it."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c * (1 - by)):02X}" for c in rgb)


def label(metric: str, custom: Mapping[str, Any] | None = None) -> str:
    """A readable axis label for an outcome or series column, or a scenario's own outcome
    (``custom``: its measures, ``outcomes.attrs["measures"]``): :func:`simulator.measures.label`."""
    return measure_label(metric, custom)


def arm_legend(fig: Figure, arms: Sequence[str], note: str = "") -> None:
    """One legend of the arms' colours under a figure of several panels."""
    _legend(fig, arms, arm_colours(arms), note)


# -- helpers --------------------------------------------------------------------------------
def _table(function: str, table: Any, source: str, columns: list[str]) -> None:
    """Refuse, naming what was passed, anything but the table ``function`` draws (the levels
    table, a row per level, is refused where the series are drawn)."""
    missing = [c for c in columns if c not in table] if isinstance(table, pd.DataFrame) else []
    levels = isinstance(table, pd.DataFrame) and "level" in table and "level" not in columns
    if not isinstance(table, pd.DataFrame) or missing or levels:
        lacks = f" (it lacks {', '.join(map(repr, missing))})" if missing else ""
        lacks = " (a row per level: model.levels())" if levels else lacks
        raise TypeError(
            f"{function} draws the table of {source}, with columns"
            f" {', '.join(map(repr, columns))}; got {_described(table)}{lacks}"
        )


def _described(value: Any) -> str:
    """What was passed instead, in a few words: ``a table with columns 'step', 'level', ...``."""
    if isinstance(value, pd.DataFrame):
        columns = ", ".join(map(repr, list(value.columns)[:4]))
        return f"a table with columns {columns}{', ...' if len(value.columns) > 4 else ''}"
    from simulator.errors import a_type

    return a_type(value)


def _axes(ax: Axes | None, size: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is None:
        fig = Figure(figsize=size, layout="constrained")
        return fig, fig.subplots()
    parent: Any = ax.get_figure(root=True)
    return parent, ax


def _replications(series: pd.DataFrame) -> int:
    """The runs in a series table; ``ValueError`` if a week repeats within one (several runs
    stacked without telling them apart would be drawn as one)."""
    keys = ["replication", "step"] if "replication" in series else ["step"]
    repeated = series.duplicated(keys)
    if repeated.any():
        week = series.loc[repeated, "step"].iloc[0]
        where = (
            ""
            if len(keys) == 1
            else f" of replication {series.loc[repeated, 'replication'].iloc[0]}"
        )
        raise ValueError(
            f"week {week}{where} appears more than once: several runs stacked without telling"
            " them apart; number them, e.g. pd.concat(r.series().assign(replication=i)"
            " for i, r in enumerate(runs))"
        )
    return int(series["replication"].nunique()) if "replication" in series else 1


def _band_line(
    ax: Axes, frame: pd.DataFrame, column: str, colour: str, label: str, band: bool
) -> None:
    """Median of ``column`` by step, with the 10-90 % band across replications if ``band``."""
    by_step = frame.groupby("step")[column]
    steps = np.asarray(sorted(frame["step"].unique()))
    if band:
        lo = by_step.quantile(BAND[0]).to_numpy()
        hi = by_step.quantile(BAND[1]).to_numpy()
        ax.fill_between(steps, lo, hi, color=colour, alpha=0.22, lw=0)
    ax.plot(steps, by_step.median().to_numpy(), color=colour, lw=2.2, label=label)


def _style(ax: Axes, title: str, ylabel: str) -> None:
    ax.set_title(title, fontsize=FONT["title"])
    ax.set_xlabel("Week", fontsize=FONT["label"])
    ax.set_ylabel(ylabel, fontsize=FONT["label"])
    ax.tick_params(labelsize=FONT["tick"])
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(True, color="#DDDDDD", lw=0.7)
    ax.set_axisbelow(True)
    ax.margins(x=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _arm_list(frame: pd.DataFrame, arms: Sequence[str] | None) -> list[str]:
    if arms is not None:
        return list(arms)
    return sorted(str(a) for a in frame["arm"].unique()) if "arm" in frame else []


def _finish(ax: Axes, title: str, xlabel: str, ylabel: str, percent: bool) -> None:
    ax.set_title(title, fontsize=FONT["title"])
    ax.set_xlabel(xlabel, fontsize=FONT["label"])
    ax.set_ylabel(ylabel, fontsize=FONT["label"])
    ax.tick_params(labelsize=FONT["tick"])
    if percent:
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=None))
    else:
        ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
    ax.grid(True, color="#DDDDDD", lw=0.7)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


LEGEND_MARGIN = 12.0
"""Points of a figure's width left free either side of its legend of the arms (the
layout's padding and the legend's own)."""


LEGEND_HANDLE = 2.0 + 0.8
"""A legend entry's swatch and the gap after it, in font sizes (matplotlib's
``legend.handlelength`` and ``legend.handletextpad``)."""


def _legend(fig: Figure, arms: Sequence[str], colours: Mapping[str, str], note: str) -> None:
    """The arms' colours in one legend under ``fig``, in as few rows as fit its width.

    The arms read in scenario order along each row, and ``note`` (what lines and bands
    are) is wrapped to the figure: in one row, five arms or a long note ran past the
    figure's edges, cut there (an arm's name cut short, another's gone, its swatch left).
    """
    size = FONT["legend"] + 1
    room = 72 * fig.get_figwidth() - 2 * LEGEND_MARGIN
    ncol = _columns([_text_width(a, size) + LEGEND_HANDLE * size for a in arms], room, size)
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
        title="\n".join(_wrap(note, room, FONT["legend"])) if note else None,
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


def _longest(most: int, fits: Callable[[int], bool], least: int = 0) -> int:
    """The largest ``k`` from ``least`` to ``most`` with ``fits(k)`` (``least`` if none),
    for ``fits`` true up to some ``k`` and false beyond (text widths grow with length):
    found by bisection, as each try measures text."""
    while least < most:
        mid = (least + most + 1) // 2
        least, most = (mid, most) if fits(mid) else (least, mid - 1)
    return least


def _wrap(text: str, width: float, size: float) -> list[str]:
    """Lines of ``text`` at most ``width`` points wide at ``size`` points: broken after the
    commas between values first, then at spaces, then (one long word) anywhere."""

    def fits(line: str) -> bool:
        return _text_width(line, size) <= width

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


_MEASURE = TextToPath()


def _text_width(text: str, size: float) -> float:
    """Width of one line of ``text`` in the figures' font at ``size``, in points."""
    return float(_MEASURE.get_text_width_height_descent(text, _font(size), False)[0])


@functools.cache
def _font(size: float) -> FontProperties:
    return FontProperties(size=size)


def _thousands(value: float, _pos: object = None) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:g}"


def _band_note(reps: int) -> str:
    if reps > 1:
        return f"median of {reps} runs, band 10-90 %"
    return "one run"


def _shown_in_notebooks() -> None:
    """In a Jupyter kernel, let a figure show as a cell's value or through ``display``.

    Jupyter draws a :class:`Figure` with a formatter that matplotlib-inline registers only once
    ``pyplot`` has been used, so in a notebook that never touched ``pyplot`` a figure from here
    printed ``<Figure size 600x430 with 1 Axes>``. This registers PNG when no image formatter
    knows figures yet; a user's own choice (``%matplotlib``, ``InlineBackend``) is left as it is.
    """
    ipython = sys.modules.get("IPython")  # never imported here: only if a shell runs us
    shell = ipython.get_ipython() if ipython is not None else None
    formatters = getattr(getattr(shell, "display_formatter", None), "formatters", None)
    if not formatters:
        return
    for formatter in formatters.values():
        try:
            formatter.lookup_by_type(Figure)
            return
        except KeyError:
            continue
    try:
        from matplotlib_inline.backend_inline import select_figure_formats
    except ImportError:  # ipykernel brings it; another shell may not have it
        return
    select_figure_formats(shell, {"png"})


_shown_in_notebooks()


__all__ = [
    "ARM_PALETTE",
    "STAGE_COLOURS",
    "STRATEGY_COLOURS",
    "adoption_curves",
    "arm_colours",
    "arm_legend",
    "compare_figure",
    "label",
    "level_panel",
    "org_chart",
    "poster_difference",
    "run_figure",
    "save",
]
