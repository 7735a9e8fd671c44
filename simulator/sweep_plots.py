"""Figures of sweeps: result tables and summaries in, :class:`~matplotlib.figure.Figure` out.

Companions of :mod:`simulator.plots` (same fonts, bands and style) for scenario results:
arms over time, outcomes against a swept parameter, heatmaps of two-axis grids, final
adoption by level and sensitivity indices. Every arm has one colour in every figure, taken
from the colour-blind-safe Okabe-Ito palette in the order of the scenario's arms (pass
``arms=`` with that order; the default is alphabetical). Text and true/false values of a
swept parameter are in the order the scenario lists them (pass ``order=``:
:func:`simulator.results.axis_order` of the folder's manifest; the default is the order
they first appear). Outcomes a scenario defines are labelled, and shown as percentages or
not, by their measures (pass ``measures=``: the outcomes' ``attrs["measures"]``;
:mod:`simulator.measures`). Nothing here reads or writes files.

Each figure is in a module of its own, its public names importable from here too:

- :mod:`simulator.plots_arm_curves`: the arms over the weeks (:func:`arm_curves`);
- :mod:`simulator.plots_vs_parameter`: an outcome against a swept parameter
  (:func:`outcome_vs_parameter`);
- :mod:`simulator.plots_heatmaps`: two-axis grids (:func:`heatmap`,
  :func:`difference_heatmap`);
- :mod:`simulator.plots_forest`: the paired difference per design point (:func:`forest_plot`);
- :mod:`simulator.plots_levels`: final adoption by level (:func:`level_adoption`);
- :mod:`simulator.plots_sensitivity`: sensitivity indices (:func:`sensitivity_bars`).

The values a figure is drawn over (the arms, a swept parameter's order and tick labels) are
in :mod:`simulator.plots_values`, text fitted to a figure in :mod:`simulator.plots_text`.

Examples
--------
>>> import pandas as pd
>>> summary = pd.DataFrame({"point": [0, 1, 0, 1], "x.y": [0.1, 0.9, 0.1, 0.9],
...     "arm": ["a", "a", "b", "b"], "metric": "poster", "n": 3, "mean": [0.1, 0.3, 0.2, 0.5],
...     "ci_low": [0.05, 0.2, 0.1, 0.4], "ci_high": [0.15, 0.4, 0.3, 0.6]})
>>> fig = outcome_vs_parameter(summary, "x.y", "poster", arms=["a", "b"])
>>> len(fig.axes[0].lines)
2
"""

from __future__ import annotations

from simulator.plots_arm_curves import MAX_PANELS, arm_curves
from simulator.plots_forest import FOREST_LABELLED, FOREST_ROWS, forest_plot
from simulator.plots_heatmaps import MAX_CELLS_ANNOTATED, difference_heatmap, heatmap
from simulator.plots_levels import level_adoption
from simulator.plots_sensitivity import sensitivity_bars
from simulator.plots_text import PANEL_MARGIN
from simulator.plots_vs_parameter import outcome_vs_parameter

__all__ = [  # (the figures, and the constants that were this module's)
    "FOREST_LABELLED",
    "FOREST_ROWS",
    "MAX_CELLS_ANNOTATED",
    "MAX_PANELS",
    "PANEL_MARGIN",
    "arm_curves",
    "difference_heatmap",
    "forest_plot",
    "heatmap",
    "level_adoption",
    "outcome_vs_parameter",
    "sensitivity_bars",
]
