"""PRIM, the patient rule induction method, on a scenario-discovery question.

PRIM is the EMA Workbench's (:mod:`ema_workbench.analysis.prim`, the optional extra
``orgsim[discover]``; Kwakkel 2017), imported only when a box is looked for: it peels the
box one step at a time (then pastes) and returns the whole trajectory. What the Workbench
leaves to its user is here: which box of the trajectory is taken (:func:`choose_box`: the
one of highest coverage among those whose density reaches a threshold, else the densest),
its limits moved in to values that were run (:func:`_limits`), and a note on each
restriction that is not significant.

References: Friedman, J. H. & Fisher, N. I. (1999). Bump hunting in high-dimensional data.
Statistics and Computing 9, 123-143. Kwakkel, J. H. (2017). The Exploratory Modeling
Workbench. Environmental Modelling & Software 96, 239-250.
"""

from __future__ import annotations

import importlib.util
import warnings
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

from simulator.discovery_box import Discovery
from simulator.discovery_condition import DiscoveryError
from simulator.discovery_question import Question
from simulator.errors import SimulatorError

INSTALL = "pip install -e '.[discover]' in the orgsim folder"


class MissingExtraError(SimulatorError):
    """The EMA Workbench, which scenario discovery uses, is not installed."""


def run_prim(
    q: Question,
    *,
    threshold: float = 0.8,
    peel_alpha: float = 0.05,
    paste_alpha: float = 0.05,
    mass_min: float = 0.05,
) -> Discovery:
    """PRIM (the EMA Workbench's ``Prim(x, y).find_box()``) on a :class:`Question`, and the
    box taken from its peeling trajectory.

    Parameters
    ----------
    q : Question
        From :func:`~simulator.discovery_question.question`.
    threshold : float
        The density the box should reach (0 to 1): of the boxes on the peeling trajectory
        with at least this share of their runs meeting the condition, the one with the
        highest coverage is taken (:func:`choose_box`); if none reaches it, the densest.
    peel_alpha, paste_alpha, mass_min : float
        PRIM's share of the runs peeled off a side at each step, pasted back, and the
        smallest box (as a share of all runs) it peels down to (the Workbench's defaults).
    """
    for name, value, top in (
        ("threshold", threshold, 1.0),
        ("peel_alpha", peel_alpha, 0.5),
        ("paste_alpha", paste_alpha, 0.5),
        ("mass_min", mass_min, 1.0),
    ):
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not (number and 0 < value <= top):
            raise DiscoveryError(name, value, f"must be a number above 0 and at most {top:g}")
    prim = prim_module()
    with warnings.catch_warnings():  # (the Workbench's own pandas deprecations)
        warnings.simplefilter("ignore")
        algorithm = prim.Prim(
            q.x.reset_index(drop=True),
            q.y,
            peel_alpha=peel_alpha,
            paste_alpha=paste_alpha,
            mass_min=mass_min,
        )
        box = algorithm.find_box()
    columns = ["coverage", "density", "mass", "n", "k", "res_dim"]
    trajectory = box.peeling_trajectory[columns].astype(
        {"coverage": float, "density": float, "mass": float, "n": int, "k": int, "res_dim": int}
    )
    trajectory.index.name = "box"
    chosen, reached = choose_box(trajectory, threshold)
    box.select(chosen)
    import ema_workbench

    settings = {
        "package": f"ema_workbench {ema_workbench.__version__}",
        "peel_alpha": peel_alpha,
        "paste_alpha": paste_alpha,
        "mass_min": mass_min,
        "threshold": threshold,
    }
    limits = _limits(q.x, box.box_lims[0], box.box_lims[chosen], box.p_values[chosen])
    notes = [*q.notes, *_weak(limits)]
    return Discovery(q, trajectory, chosen, threshold, reached, limits, settings, notes, box)


SIGNIFICANT = 0.05
"""A restriction whose quasi-p-value is above this is said to be weak (as the Workbench's
``prim_util.is_significant`` judges a box)."""


def _weak(limits: pd.DataFrame) -> list[str]:
    """A note per restriction that is not significant: the box does about as well without."""
    notes = []
    for r in limits[limits["restricted"]].to_dict("records"):
        worst = np.nanmax([r["qp_low"], r["qp_high"]])
        if worst > SIGNIFICANT:
            notes.append(
                f"the restriction of {r['parameter']} is not significant (quasi-p"
                f" {worst:.2g} > {SIGNIFICANT:g}): the box holds about as well without it"
            )
    return notes


def choose_box(trajectory: pd.DataFrame, threshold: float) -> tuple[int, bool]:
    """The box of highest coverage among those of density ``threshold`` or more (ties: the
    denser, then the fewer restrictions), and True; else the densest (ties: the higher
    coverage), and False.

    >>> t = pd.DataFrame({"coverage": [1, .9, .7, .5], "density": [.3, .6, .85, .95],
    ...                   "res_dim": [0, 1, 2, 2]})
    >>> choose_box(t, 0.8), choose_box(t, 0.99)
    ((2, True), (3, False))
    """
    dense = trajectory[trajectory["density"] >= threshold]
    if not dense.empty:
        order = dense.sort_values(
            ["coverage", "density", "res_dim"], ascending=[False, False, True], kind="stable"
        )
        return int(order.index[0]), True
    order = trajectory.sort_values(["density", "coverage"], ascending=False, kind="stable")
    return int(order.index[0]), False


def _limits(
    x: pd.DataFrame, initial: pd.DataFrame, lims: pd.DataFrame, qp: dict[str, list[float]]
) -> pd.DataFrame:
    """A row per parameter: the box's range against the values run, and its quasi-p-values.

    A numeric limit is moved in to the nearest value run (PRIM's may fall between two: 3.5
    for a whole-number axis, 0.35 on a grid of 0.2 and 0.5); the box keeps the same runs.
    Categories keep the scenario's order."""
    rows = []
    for axis in x.columns:
        p = [np.nan if v is None or v < 0 else float(v) for v in qp.get(axis, [-1, -1])]
        first: Any = initial.at[0, axis]
        if isinstance(first, set):
            inside: Any = lims.at[0, axis]
            seen = list(pd.unique(x[axis]))  # (in the order of the design points)
            listed = [v for v in x.attrs.get("order", {}).get(axis, []) if v in seen]
            ran = listed + [v for v in seen if v not in listed]
            ran = sorted(ran) if pd.api.types.is_bool_dtype(x[axis]) and not listed else ran
            swept = [v for v in ran if v in first] + sorted(set(first) - set(ran), key=str)
            kept = [v for v in swept if v in inside]
            rows.append(
                {
                    "parameter": axis,
                    "kind": "category",
                    "restricted": kept != swept,
                    "in_box": kept,
                    "swept": swept,
                    "qp_low": p[0],
                    "qp_high": np.nan,
                }
            )
            continue
        low: Any = lims.at[0, axis]
        high: Any = lims.at[1, axis]
        swept_low, swept_high = first, initial.at[1, axis]
        run = x[axis].to_numpy(dtype=float)
        low = run[run >= low].min() if (run >= low).any() else low
        high = run[run <= high].max() if (run <= high).any() else high
        rows.append(
            {
                "parameter": axis,
                "kind": "number",
                "restricted": bool(low != swept_low or high != swept_high),
                "low": low,
                "high": high,
                "swept_low": swept_low,
                "swept_high": swept_high,
                "qp_low": p[0] if low != swept_low else np.nan,
                "qp_high": p[1] if high != swept_high else np.nan,
            }
        )
    table = pd.DataFrame(rows)
    order = np.argsort(~table["restricted"].to_numpy(dtype=bool), kind="stable")
    return table.iloc[order].reset_index(drop=True)


def require_prim() -> None:
    """Refuse at once, saying how to install it, when the EMA Workbench is missing (without
    importing it: that takes seconds)."""
    try:
        found = importlib.util.find_spec("ema_workbench") is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        raise MissingExtraError(
            "scenario discovery uses PRIM from the EMA Workbench (ema_workbench), which is"
            f" not installed: install it with {INSTALL}"
        )


def prim_module() -> ModuleType:
    """:mod:`ema_workbench.analysis.prim`, imported now (quietly: the Workbench warns of
    optional packages it does without)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from ema_workbench.analysis import prim
    except ImportError as err:
        raise MissingExtraError(
            f"scenario discovery uses PRIM from the EMA Workbench, which cannot be imported"
            f" ({err}): install it with {INSTALL}"
        ) from err
    return prim
