"""Scenario discovery: in which region of the swept parameters does a condition hold?

"Where does delegation do as well as modeling?", "where does the share posting stay below
20 %?": a condition on each run's outcomes (or on the paired difference between an arm and
the baseline, replication by replication) marks the runs of interest, and PRIM, the patient
rule induction method (Friedman & Fisher 1999), as scenario discovery uses it (Bryant &
Lempert 2010), finds a box of parameter ranges that holds many of them (coverage) and few
others (density). PRIM is the EMA Workbench's (:mod:`ema_workbench.analysis.prim`, the
optional extra ``orgsim[discover]``), imported only when a box is looked for.

Kwakkel's PRIM peels the box one step at a time and returns the whole peeling trajectory;
the box taken is the one of highest coverage among those whose density reaches a threshold
(else the densest, said so). Numeric axes are ranges; text and true/false axes are
categories (a box keeps a subset of them).

References: Friedman, J. H. & Fisher, N. I. (1999). Bump hunting in high-dimensional data.
Statistics and Computing 9, 123-143. Bryant, B. P. & Lempert, R. J. (2010). Thinking inside
the box: a participatory, computer-assisted approach to scenario discovery. Technological
Forecasting and Social Change 77, 34-49. Kwakkel, J. H. (2017). The Exploratory Modeling
Workbench. Environmental Modelling & Software 96, 239-250.

This module asks and answers (:func:`discover`); the rest is in modules of their own, each
public name importable from here too:

- :mod:`simulator.discovery_condition`: the ``--where`` language (:func:`parse_condition`,
  :class:`Condition`) and :class:`DiscoveryError`;
- :mod:`simulator.discovery_question`: which runs (or pairs) are of interest, as PRIM's
  ``x`` and ``y`` (:func:`question`);
- :mod:`simulator.discovery_prim`: PRIM itself and the box taken from its trajectory
  (:func:`run_prim`, :func:`choose_box`);
- :mod:`simulator.discovery_box`: the box found (:class:`Discovery`), in words and as JSON;
- :mod:`simulator.discovery_plots`: its figures and files (:data:`FILES`).

Examples
--------
>>> condition = parse_condition("poster < 0.2 and t10 <= 20", ["poster", "t10"])
>>> str(condition), condition.metrics
('poster < 0.2 and t10 <= 20', ['poster', 't10'])
"""

from __future__ import annotations

import os

from simulator.discovery_box import Discovery
from simulator.discovery_condition import (
    EXAMPLE,
    OPERATORS,
    Clause,
    Condition,
    DiscoveryError,
    parse_condition,
)
from simulator.discovery_plots import FILES
from simulator.discovery_prim import (
    INSTALL,
    SIGNIFICANT,
    MissingExtraError,
    choose_box,
    prim_module,
    require_prim,
    run_prim,
)
from simulator.discovery_question import Question, question
from simulator.results import Results

__all__ = [  # (what was this module's before its parts had modules of their own)
    "EXAMPLE",
    "FILES",
    "INSTALL",
    "OPERATORS",
    "SIGNIFICANT",
    "Clause",
    "Condition",
    "Discovery",
    "DiscoveryError",
    "MissingExtraError",
    "Question",
    "choose_box",
    "discover",
    "parse_condition",
    "prim_module",
    "question",
    "require_prim",
    "run_prim",
]


def discover(
    results: Results | str | os.PathLike[str],
    where: str,
    *,
    arm: str | None = None,
    contrast: str | None = None,
    threshold: float = 0.8,
    peel_alpha: float = 0.05,
    paste_alpha: float = 0.05,
    mass_min: float = 0.05,
) -> Discovery:
    """Scenario discovery with PRIM: the box of swept-parameter ranges where ``where`` holds.

    Parameters
    ----------
    results, where, arm, contrast
        The question (see :func:`question`).
    threshold, peel_alpha, paste_alpha, mass_min : float
        How PRIM looks and which box is taken (see :func:`run_prim`).

    Returns
    -------
    Discovery

    Raises
    ------
    DiscoveryError
        For a question that cannot be answered (see :func:`question`), or a bad setting.
    MissingExtraError
        When the EMA Workbench is not installed (``pip install -e '.[discover]'``).
    """
    require_prim()
    q = question(results, where, arm=arm, contrast=contrast)
    return run_prim(
        q, threshold=threshold, peel_alpha=peel_alpha, paste_alpha=paste_alpha, mass_min=mass_min
    )
