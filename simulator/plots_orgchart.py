"""An organisation drawn as a tree: the top leader at the top, one row per level, people
coloured by their stage (non-user, listener, poster) or by their unit.

Meant for small organisations (up to a few hundred people); reporting lines solid, informal
lateral ties thin and light. Importable from :mod:`simulator.plots` as well.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from simulator.plots_colours import ARM_PALETTE, STAGE_COLOURS, STAGE_LABELS, STAGES
from simulator.plots_style import FONT, figure_and_axes

if TYPE_CHECKING:
    from simulator.orgchart import Org


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
    fig, ax = figure_and_axes(ax, (9.0, 4.5))
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


__all__ = ["org_chart"]
