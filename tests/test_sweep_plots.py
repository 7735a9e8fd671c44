"""Figures of a sweep (:mod:`simulator.sweep_plots`): what they show is not hidden."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.transforms import Bbox

from simulator.sweep_plots import level_adoption


def final_levels(share: dict[str, tuple[float, float]], levels: int = 4) -> pd.DataFrame:
    """Six runs per arm whose final share posting alternates ``mean - spread`` and
    ``mean + spread`` at every level (``share[arm] = (mean, spread)``)."""
    return pd.DataFrame(
        [
            {
                "point": 0,
                "arm": arm,
                "replication": r,
                "step": 10,
                "level": level,
                "people": 3**level,
                "poster": mean + (spread if r % 2 else -spread),
            }
            for arm, (mean, spread) in share.items()
            for level in range(levels)
            for r in range(6)
        ]
    )


def test_the_level_legend_covers_no_whisker_point_or_cap() -> None:
    """Model near 80 % at every level, delegate 20 % with runs at 0 and 40 %: matplotlib's
    "best" place for a legend in the panel avoids the lines' points but not the whiskers
    between them, and put the legend over delegate's top-level whisker."""
    fig = level_adoption(final_levels({"model": (0.8, 0.02), "delegate": (0.2, 0.2)}))
    FigureCanvasAgg(fig).draw()
    (ax,) = fig.axes
    (legend,) = [*fig.legends, *filter(None, [ax.get_legend()])]
    assert sorted(t.get_text() for t in legend.get_texts()) == ["delegate", "model"]
    covered = legend.get_window_extent()
    whiskers = [c for c in ax.collections if isinstance(c, LineCollection)]
    boxes = []
    for bars in whiskers:  # one vertical segment per level and arm
        for segment in bars.get_segments():
            ends = bars.get_transform().transform(segment)
            boxes.append(Bbox([ends.min(axis=0), ends.max(axis=0)]))
    assert len(boxes) == 2 * 4
    for line in ax.lines:  # the means and the caps: a marker's width around each point
        size = line.get_markersize() * fig.dpi / 72 / 2
        for x, y in line.get_transform().transform(line.get_xydata()):
            boxes.append(Bbox([[x - size, y - size], [x + size, y + size]]))
    assert not [b for b in boxes if covered.overlaps(b)]
    # every whisker is drawn whole, from 0 % up (delegate's interval reaches below 0)
    lows = [float(np.min(s[:, 1])) for c in whiskers for s in c.get_segments()]
    assert min(lows) == 0.0 and ax.get_ylim()[0] == 0.0
