"""A forest plot of the paired difference between arms per design point: a row per point
(mean difference and its 95 % CI, a colour per arm against the baseline) and the pooled
estimate over all points as a diamond at the bottom.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from simulator.measures import in_percent
from simulator.measures import label as measure_label
from simulator.plots_colours import arm_colours
from simulator.plots_style import FONT

FOREST_LABELLED = 60
"""Up to this many design points, a forest plot labels each row with its axis values."""


FOREST_ROWS = 400
"""More design points than this get no forest plot (the table ``contrasts.csv`` has them)."""


def forest_plot(
    contrasts: pd.DataFrame,
    metric: str = "poster",
    *,
    arms: Sequence[str] | None = None,
    point_labels: Mapping[int, str] | None = None,
    pooled: pd.DataFrame | None = None,
    measures: Mapping[str, Any] | None = None,
) -> Figure:
    """Forest plot of the paired difference ``arm − baseline`` of ``metric`` per design point.

    One row per design point (mean difference and its 95 % CI, one colour per arm against
    the baseline), and the pooled estimate over all points as a diamond at the bottom.
    ``contrasts`` comes from :func:`simulator.analysis.contrasts` (per design point),
    ``pooled`` from the same with ``pooled=True``. Up to :data:`FOREST_LABELLED` points each
    row is labelled with its axis values (``point_labels``) in design-point order; beyond
    that rows are sorted by the difference and labelled by point number. ``measures`` are
    the scenario's own outcomes' (``outcomes.attrs["measures"]``), for their labels and
    percentage points.

    >>> import pandas as pd
    >>> c = pd.DataFrame({"point": [0, 1], "arm": "b", "baseline": "a", "metric": "poster",
    ...     "mean_diff": [0.1, -0.05], "ci_low": [0.05, -0.1], "ci_high": [0.15, 0.0]})
    >>> fig = forest_plot(c, arms=["a", "b"], point_labels={0: "x = 1", 1: "x = 2"})
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['x = 1', 'x = 2']
    """
    rows = contrasts[(contrasts["metric"] == metric)].copy()
    rows = rows[np.isfinite(rows["mean_diff"].to_numpy(dtype=float))]
    arm_order = list(arms) if arms is not None else sorted(map(str, rows["arm"].unique()))
    colours = arm_colours(arm_order)
    shown = [a for a in arm_order if a in set(rows["arm"])]
    base = str(rows["baseline"].iloc[0]) if not rows.empty else (arm_order or ["baseline"])[0]
    points = sorted(int(p) for p in rows["point"].unique())
    labelled = len(points) <= FOREST_LABELLED
    if not labelled:  # sort by the first arm's difference: the spread is what shows
        first = rows[rows["arm"] == shown[0]].set_index("point")["mean_diff"]
        points = sorted(points, key=lambda p: float(first.get(p, np.nan)))
    position = {p: i for i, p in enumerate(points)}
    percent = in_percent(metric, measures)
    what = measure_label(metric, measures)
    scale = 100.0 if percent else 1.0
    height = (0.3 if labelled else 0.12) * len(points) + 2.2
    longest = max((len(v) for v in (point_labels or {}).values()), default=10) if labelled else 6
    width = min(7.5 + 0.075 * longest, 17.0)
    fig = Figure(figsize=(width, min(max(3.2, height), 60.0)), layout="constrained")
    ax = fig.subplots()
    spread = 0.6 / max(1, len(shown))
    for k, arm in enumerate(shown):
        part = rows[rows["arm"] == arm]
        offset = (k - (len(shown) - 1) / 2) * spread
        y = np.array([position[int(p)] for p in part["point"]], dtype=float) + offset
        mean = part["mean_diff"].to_numpy(dtype=float) * scale
        low = part["ci_low"].to_numpy(dtype=float) * scale
        high = part["ci_high"].to_numpy(dtype=float) * scale
        err = np.vstack([mean - low, high - mean])
        err = np.where(np.isfinite(err), err, 0.0)
        ax.errorbar(
            mean,
            y,
            xerr=err,
            fmt="o",
            color=colours[arm],
            ms=4 if labelled else 2.5,
            elinewidth=1.2 if labelled else 0.8,
            capsize=2 if labelled else 0,
            label=f"{arm} − {base}",
        )
    if labelled:
        ticks = [(point_labels or {}).get(p, f"point {p}") for p in points]
    else:  # about 40 labels, by point number
        every = max(1, len(points) // 40)
        ticks = [f"#{p}" if i % every == 0 else "" for i, p in enumerate(points)]
    where = [float(i) for i in range(len(points))]
    if pooled is not None and not pooled.empty:
        whole = pooled[pooled["metric"] == metric]
        yk0 = len(points) + 0.5
        for k, arm in enumerate(shown):
            r = whole[whole["arm"] == arm]
            if r.empty or not np.isfinite(float(r["mean_diff"].iloc[0])):
                continue
            m, lo, hi = (float(r[c].iloc[0]) * scale for c in ("mean_diff", "ci_low", "ci_high"))
            lo, hi = (lo, hi) if np.isfinite(lo) and np.isfinite(hi) else (m, m)
            yk = yk0 + (k - (len(shown) - 1) / 2) * spread
            half = min(0.3, spread / 2)
            ax.fill([lo, m, hi, m], [yk, yk - half, yk, yk + half], color=colours[arm])
        ticks.append("all points (pooled)")
        where.append(yk0)
        ax.axhline(len(points), color="#BBBBBB", lw=0.8)
    ax.set_yticks(where, ticks)
    ax.set_ylim(where[-1] + 0.7 if where else 0.7, -0.7)
    ax.axvline(0.0, color="black", lw=0.9)
    unit = " (percentage points)" if percent else ""
    ax.set_xlabel(f"Paired difference in {what.lower()}{unit}", fontsize=FONT["label"])
    ax.tick_params(labelsize=FONT["tick"] if labelled else FONT["tick"] - 2)
    ax.grid(True, axis="x", color="#DDDDDD", lw=0.7)
    order = "" if labelled else ", sorted by the difference"
    who = f"{shown[0]} − {base}" if len(shown) == 1 else f"each arm − {base}"
    ax.set_title(
        f"{what}: {who}\nmean and 95 % CI per design point{order}",
        fontsize=FONT["title"],
    )
    if shown:
        ax.legend(loc="best", fontsize=FONT["legend"], frameon=False)
    return fig


__all__ = ["FOREST_LABELLED", "FOREST_ROWS", "forest_plot"]
